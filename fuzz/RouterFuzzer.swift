// libFuzzer target: the router. Input: "METHOD PATH".

private let table: Set<String> = [
    "GET /api/cron/cleanup-auth", "GET /api/cron/cleanup-sessions", "POST /api/cron/cleanup-sessions",
    "GET /api/cron/health", "GET /api/cron/metrics", "GET /api/cron/status",
]
private let knownPaths = Set(table.map { String($0.split(separator: " ")[1]) })

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouter(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
    let method = String(parts.first ?? "")
    let path = parts.count > 1 ? String(parts[1]) : ""
    switch Router.route(method: method, path: path) {
    case .endpoint:
        if !table.contains("\(method) \(path)") { fatalError("routed something outside the table: \(text)") }
    case .methodNotAllowed(let allowed):
        if !knownPaths.contains(path) || allowed.contains(method) || allowed.isEmpty { fatalError("bad 405 for \(text)") }
    case .notFound:
        if knownPaths.contains(path) { fatalError("404 for a known path: \(text)") }
    }
    return 0
}
