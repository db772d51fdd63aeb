// libFuzzer target: the config file parser.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var configuration = Configuration()
    do {
        try configuration.apply(fileText: text, origin: "fuzz")
    } catch {
        // Every refusal is one message that names where it came from.
        if !error.message.hasPrefix("fuzz") { fatalError("an error without its origin: \(error.message)") }
        return 0
    }
    // Whatever was accepted is within the documented bounds.
    if !(1...1_000_000).contains(configuration.batchSize) || !(1...87_600).contains(configuration.authRetentionHours)
        || configuration.tables.session.isEmpty || configuration.tables.session.utf8.count > 63
        || configuration.serve.effectiveSocketMode > 0o777
    {
        fatalError("accepted an out-of-range configuration from \(text)")
    }
    _ = configuration.settings
    return 0
}
