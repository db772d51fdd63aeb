import Testing

@_spi(ForTesting) @testable import FastCGI

@Suite("FastCGI request parameters")
struct FastCGIRequestTests {
    @Test("the path is REQUEST_URI without its query string, as sent")
    func pathWithoutQuery() {
        #expect(FastCGIRequest(["REQUEST_URI": "/api/cron/cleanup-auth?secret=abc"]).path == "/api/cron/cleanup-auth")
        #expect(FastCGIRequest(["REQUEST_URI": "/api/cron/cleanup%2Dauth"]).path == "/api/cron/cleanup%2Dauth")
        #expect(FastCGIRequest(["DOCUMENT_URI": "/api/cron/cleanup-auth"]).path == "/api/cron/cleanup-auth")
        #expect(FastCGIRequest(["SCRIPT_NAME": "/api/cron", "PATH_INFO": "/cleanup-auth"]).path == "/api/cron/cleanup-auth")
    }

    @Test("a repeated parameter keeps every value, in order")
    func repeatedParameter() {
        let request = FastCGIRequest(parameters: [("HTTP_AUTHORIZATION", [1]), ("REQUEST_METHOD", Array("GET".utf8)), ("HTTP_AUTHORIZATION", [2])])
        #expect(request.values("HTTP_AUTHORIZATION") == [[1], [2]])
        let overridden = FastCGIRequest(["REQUEST_URI": "/api/cron/metrics/2", "REQUEST_URI": "/api/cron/metrics"])
        #expect(overridden.path == "/api/cron/metrics", "a later fastcgi_param overrides an earlier one")
        #expect(request.method == "GET")
        #expect(FastCGIRequest([:]).method == "")
    }
}

@Suite("FastCGI request from libfcgi's environment")
struct FastCGIEnvironmentTests {
    /// `entries` as libfcgi hands them over: a NULL-terminated array of
    /// NUL-terminated `NAME=value` strings.
    func request(_ entries: [[UInt8]]) -> FastCGIRequest {
        let pointers: [UnsafeMutablePointer<CChar>?] =
            entries.map { bytes in
                let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
                for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
                copy[bytes.count] = 0
                return copy
            } + [nil]
        defer { pointers.forEach { $0?.deallocate() } }
        var array = pointers
        return array.withUnsafeMutableBufferPointer { FastCGIRequest(environment: $0.baseAddress) }
    }

    @Test("NAME=value entries are split at the first '=', in order, repeated names kept")
    func entries() {
        let parsed = request([
            Array("REQUEST_METHOD=POST".utf8),
            Array("REQUEST_URI=/api/cron/cleanup-sessions?a=b=c".utf8),
            Array("HTTP_AUTHORIZATION=Bearer a=b".utf8),
            Array("HTTP_AUTHORIZATION=Bearer second".utf8),
            Array("EMPTY=".utf8),
        ])
        #expect(parsed.method == "POST")
        #expect(parsed.path == "/api/cron/cleanup-sessions")
        #expect(parsed.values("HTTP_AUTHORIZATION") == [Array("Bearer a=b".utf8), Array("Bearer second".utf8)])
        #expect(parsed["HTTP_AUTHORIZATION"] == "Bearer second")
        #expect(parsed["EMPTY"] == "")
        #expect(parsed["MISSING"] == nil)
    }

    @Test("an entry without '=' is skipped; bytes that are not UTF-8 are kept as sent")
    func oddEntries() {
        let parsed = request([Array("NOEQUALS".utf8), [0x48, 0x3D, 0xFF, 0xFE], Array("REQUEST_METHOD=GET".utf8)])
        #expect(parsed["NOEQUALS"] == nil)
        #expect(parsed.values("H") == [[0xFF, 0xFE]])
        #expect(parsed.method == "GET")
    }

    @Test("no environment at all is an empty request")
    func noEnvironment() {
        let parsed = FastCGIRequest(environment: nil)
        #expect(parsed.method == "" && parsed.path == "")
    }
}
