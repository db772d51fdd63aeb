// The fuzzer builds this file with CleanupKind's as one module.
#if canImport(AuthSweep)
import AuthSweep
#endif

/// What the router decided for one method and path.
public enum RouteDecision: Sendable, Equatable {
    case endpoint(Endpoint)
    /// The path exists but not with this method; `allowed` goes in the `Allow` header.
    case methodNotAllowed(allowed: [String])
    case notFound
}

/// Maps the contract's endpoint table onto `Endpoint`s.
public enum Router {
    private static let table: [String: [(method: String, endpoint: Endpoint)]] = [
        path(.cleanup(.cleanupAuth)): [("GET", .cleanup(.cleanupAuth))],
        path(.cleanup(.cleanupSessions)): [("GET", .sessionStats), ("POST", .cleanup(.cleanupSessions))],
        path(.health): [("GET", .health)],
        path(.metrics): [("GET", .metrics)],
        path(.status): [("GET", .status)],
    ]

    /// `/api/cron/<name>`.
    private static func path(_ endpoint: Endpoint) -> String {
        "/api/cron/" + endpoint.name
    }

    /// Routes on the exact path (no query string, not decoded) and the
    /// method as sent; HTTP methods are case-sensitive.
    public static func route(method: String, path: String) -> RouteDecision {
        guard let methods = table[path] else { return .notFound }
        if let match = methods.first(where: { $0.method == method }) {
            return .endpoint(match.endpoint)
        }
        return .methodNotAllowed(allowed: methods.map(\.method))
    }
}
