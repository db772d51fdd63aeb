// Test-only API: requests built from values and a response's header read
// back, for the handler's in-process tests and the fuzzers. The worker
// builds its requests from libfcgi's environment alone.

extension FastCGIRequest {
    /// Parameters in the order a web server would send them; a name may repeat.
    @_spi(ForTesting) public init(parameters: [(name: String, value: [UInt8])]) {
        for (name, value) in parameters {
            append(name: name.utf8, value: value)
        }
    }

    /// Builds a request from text values.
    @_spi(ForTesting) public init(_ parameters: KeyValuePairs<String, String>) {
        for (name, value) in parameters {
            append(name: name.utf8, value: value.utf8)
        }
    }
}

extension FastCGIResponse {
    /// The value of the first header called `name` (case-insensitive).
    @_spi(ForTesting) public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
