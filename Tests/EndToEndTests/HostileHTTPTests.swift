import Foundation
import TestSupport
import Testing

@Suite("hostile HTTP through nginx: nothing but the exact secret gets a 200, nothing gets a 500", .serialized)
final class HostileHTTPTests {
    let stack: Stack

    init() throws {
        // limit_req is tested on its own; here every request must reach the worker.
        stack = try Stack("hostile_http", rateLimit: "100000r/s")
    }

    func statuses(_ requests: [HTTPClient.BatchRequest]) throws -> [Int] {
        try HTTPClient.statuses(of: requests, baseURL: stack.nginx.baseURL, scratch: stack.scratch.path)
    }

    func authorization(_ token: [UInt8]) -> [[UInt8]] {
        [Array("Authorization: Bearer ".utf8) + token]
    }

    func databaseConnections() throws -> Int {
        try stack.database.workerConnections()
    }

    @Test("thousands of wrong tokens are all 401 and open no database connection")
    func wrongTokens() throws {
        let secret = Array(Stack.secret.utf8)
        var generator = SystemRandomNumberGenerator()
        var tokens: [[UInt8]] = []
        for index in 0..<2_000 {
            switch index % 5 {
            case 0: tokens.append((0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0x21...0x7e, using: &generator) })
            case 1: tokens.append(Array(secret.dropLast()))
            case 2: tokens.append(secret + [UInt8(ascii: "x")])
            case 3: tokens.append(Array(Stack.secret.uppercased().utf8))
            default: tokens.append(Array(secret.prefix(index % secret.count)))
            }
        }
        let paths = ["/api/cron/cleanup-auth", "/api/cron/cleanup-sessions", "/api/cron/metrics"]
        let results = try statuses(
            tokens.enumerated().map { index, token in
                HTTPClient.BatchRequest(index % 3 == 1 ? "POST" : "GET", paths[index % 3], headerLines: authorization(token))
            })
        #expect(results.allSatisfy { $0 == 401 }, "\(Set(results))")
        #expect(try databaseConnections() == 0, "a 401 opens no database work")
    }

    @Test("tokens that differ from the secret only in the last byte are refused, whatever the byte")
    func lastByte() throws {
        let secret = Array(Stack.secret.utf8)
        let variants = (0...255).map(UInt8.init).filter { $0 != secret.last! && $0 != 0x0a && $0 != 0x0d && $0 != 0 }
        let results = try statuses(
            variants.map { byte in
                HTTPClient.BatchRequest("GET", "/api/cron/cleanup-sessions", headerLines: authorization(Array(secret.dropLast()) + [byte]))
            })
        #expect(results.allSatisfy { $0 == 401 || $0 == 400 }, "\(Set(results))")
        #expect(results.filter { $0 == 401 }.count > 200)
        #expect(try statuses([HTTPClient.BatchRequest("GET", "/api/cron/cleanup-sessions", headerLines: authorization(secret))]) == [200])
    }

    @Test("oversized, non-UTF-8 and repeated Authorization headers are refused")
    func oddHeaders() throws {
        let secret = Array(Stack.secret.utf8)
        let requests: [HTTPClient.BatchRequest] = [
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization(secret + Array(repeating: UInt8(ascii: "a"), count: 6_000))),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization(Array(repeating: UInt8(ascii: "a"), count: 9_000))),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization(Array(repeating: UInt8(ascii: "a"), count: 70_000))),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization([0xff, 0xfe, 0xc3, 0x28] + secret)),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization(secret.dropLast() + [0xc3])),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization(secret) + authorization(secret)),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: authorization(secret) + authorization(Array("wrong".utf8))),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: [Array("Authorization:".utf8)]),
            .init("GET", "/api/cron/cleanup-sessions", headerLines: [Array("Authorization: Bearer\u{0B}".utf8) + secret]),
        ]
        let results = try statuses(requests)
        #expect(results.allSatisfy { [400, 401, 413, 431, 494].contains($0) }, "\(results)")
    }

    @Test("header and response splitting attempts are not reflected")
    func injection() throws {
        let response = try stack.request("GET", "/api/cron/cleanup-auth%0d%0aSet-Cookie:%20pwned=1%0d%0a", token: "x%0d%0aSet-Cookie: pwned=1")
        #expect([400, 401, 404].contains(response.status))
        #expect(response.headers["set-cookie"] == nil)
        let header = try stack.request("GET", "/api/cron/cleanup-sessions", token: nil, headers: ["Authorization: Bearer \(Stack.secret)\u{0B}X-Injected: 1"])
        #expect(header.status == 401)
        #expect(header.headers["x-injected"] == nil)
    }

    @Test("every method on every path: 200 only for the contract's method and path with the secret")
    func methodsAndPaths() throws {
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO"]
        let paths = [
            "/api/cron/cleanup-auth", "/api/cron/cleanup-sessions", "/api/cron/health", "/api/cron/metrics",
            "/api/cron/unknown", "/api/cron/", "/", "/api/other",
        ]
        let allowed: Set<String> = [
            "GET /api/cron/cleanup-auth", "GET /api/cron/cleanup-sessions", "POST /api/cron/cleanup-sessions",
            "GET /api/cron/health", "GET /api/cron/metrics",
        ]
        var requests: [HTTPClient.BatchRequest] = []
        for method in methods {
            for path in paths {
                requests.append(.init(method, path, headerLines: authorization(Array(Stack.secret.utf8))))
            }
        }
        let results = try statuses(requests)
        for (request, status) in zip(requests, results) {
            let key = "\(request.method) \(request.path)"
            #expect(status < 500, "\(key) -> \(status)")
            #expect((status == 200) == allowed.contains(key), "\(key) -> \(status)")
        }
    }

    @Test(
        "encoded and odd paths never run a job and never fail",
        arguments: [
            "/api/cron/cleanup%2Dauth", "/api/cron/cleanup-auth%00", "/api/cron//cleanup-auth", "/api/cron/./cleanup-auth",
            "/api/cron/../cron/cleanup-auth", "/api/cron/cleanup-auth/", "/api/cron/CLEANUP-AUTH", "/api/cron/cleanup-auth;x=1",
            "/api/cron/cleanup-auth%2F", "/api/cron/%2e%2e/cleanup-auth", "/api/cron/\u{00E9}t\u{00E9}", "/api/cron/" + String(repeating: "a", count: 3_000),
            "/api/cron/cleanup-auth#fragment", "/api/cron/cleanup-auth?", "/%61pi/cron/cleanup-auth",
        ])
    func oddPaths(path: String) throws {
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.union(CharacterSet(charactersIn: "%?#;"))) ?? path
        let result = try statuses([.init("GET", encoded, headerLines: authorization(Array(Stack.secret.utf8)))])[0]
        #expect(result < 500, "\(path) -> \(result)")
        let runs = try stack.database.rowCount("AuditLog")
        #expect(runs == 0)
        if result == 200 {
            // nginx normalises some of these to the real path before the
            // worker sees them (./, ../, %61); only then may a job run.
            #expect(
                [
                    "/api/cron/./cleanup-auth", "/api/cron/../cron/cleanup-auth", "/api/cron/cleanup-auth?",
                    "/api/cron/cleanup-auth#fragment", "/%61pi/cron/cleanup-auth",
                ].contains(path), "\(path) -> 200")
        }
    }

    @Test("large request bodies are refused by nginx with a JSON 413; small ones are ignored")
    func largeBodies() throws {
        let big = try HTTPClient.request(
            "POST", stack.nginx.baseURL + "/api/cron/cleanup-sessions",
            headers: ["Authorization: Bearer \(Stack.secret)"], body: String(repeating: "b", count: 1 << 20))
        #expect(big.status == 413)
        #expect(big.body == #"{"error":"Payload Too Large"}"#)
        let small = try HTTPClient.request(
            "POST", stack.nginx.baseURL + "/api/cron/cleanup-sessions",
            headers: ["Authorization: Bearer \(Stack.secret)"], body: String(repeating: "s", count: 15_000))
        #expect(small.status == 200)
        #expect(stack.workers.allSatisfy { $0.process.isRunning })
    }
}

@Suite("nginx's own answers: JSON and no-store, whatever the status", .serialized)
final class NginxOwnAnswersTests {
    let stack: Stack

    init() throws {
        stack = try Stack("nginx_answers")
    }

    /// Status, the two headers every answer carries, and the exact body.
    func expectJSON(
        _ response: HTTPResponse, _ status: Int, _ body: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "\(what): \(response.status) \(response.body)", sourceLocation: sourceLocation)
        #expect(response.headers["content-type"] == "application/json; charset=utf-8", "\(what): \(response.headers)", sourceLocation: sourceLocation)
        #expect(response.headers["cache-control"] == "no-store", "\(what): \(response.headers)", sourceLocation: sourceLocation)
        #expect(response.body == body, "\(what)", sourceLocation: sourceLocation)
    }

    /// Sends `request` as written (curl would mend it) over plain HTTP or
    /// TLS (openssl s_client), and parses what comes back.
    func raw(_ request: String, tls: Bool) throws -> HTTPResponse {
        let answer: String
        if tls {
            let client = try ChildProcess.run(
                "/usr/bin/openssl", ["s_client", "-quiet", "-ign_eof", "-connect", "127.0.0.1:\(stack.nginx.httpsPort)"], standardInput: request)
            answer = client.stdout
        } else {
            let connection = try FastCGIConnection(port: stack.nginx.httpPort)
            connection.send(Array(request.utf8))
            answer = String(decoding: connection.receiveAll(), as: UTF8.self)
        }
        return try HTTPClient.parse(answer)
    }

    @Test("400, 404, 405, 413, 414, 429, 502: nginx answers the documented JSON with Cache-Control: no-store, over HTTPS and plain HTTP")
    func everyStatus() throws {
        let https = stack.nginx.baseURL
        let plain = stack.nginx.plainURL
        let path = "/api/cron/cleanup-sessions"
        let secret = "Authorization: Bearer \(Stack.secret)"
        let oneOne = ["--http1.1"]
        let badRequest = #"{"error":"Bad Request"}"#
        for tls in [true, false] {
            let side = tls ? "HTTPS" : "HTTP"
            let base = tls ? https : plain
            expectJSON(
                try raw("GET \(path) HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n", tls: tls), 400, badRequest,
                "\(side), two Host headers")
            expectJSON(
                try raw("GET \(path) HTTP/1.1\r\nHost: x\r\n\(secret)\r\n\(secret)\r\nConnection: close\r\n\r\n", tls: tls), 400, badRequest,
                "\(side), two Authorization headers")
            expectJSON(try raw("NOT HTTP AT ALL\r\n\r\n", tls: tls), 400, badRequest, "\(side), not a request line")
            expectJSON(
                try HTTPClient.request("GET", base + path, headers: ["X-Big: " + String(repeating: "a", count: 9_000)], curlArguments: oneOne), 400,
                badRequest, "\(side), a header over 8 KiB (494)")
            expectJSON(try HTTPClient.request("TRACE", base + path, curlArguments: oneOne), 405, #"{"error":"Method Not Allowed"}"#, "\(side), TRACE")
            expectJSON(
                try HTTPClient.request("GET", base + "/api/cron/" + String(repeating: "u", count: 9_000), curlArguments: oneOne), 414,
                #"{"error":"URI Too Long"}"#, "\(side), a URI over 8 KiB")
        }
        expectJSON(try HTTPClient.request("GET", https + "/elsewhere"), 404, #"{"error":"Not Found"}"#, "a path outside /api/cron/")
        expectJSON(try HTTPClient.request("GET", https + "/.authsweep-error/400"), 404, #"{"error":"Not Found"}"#, "the error pages themselves")
        expectJSON(
            try HTTPClient.request("POST", https + path, headers: [secret], body: String(repeating: "b", count: 1 << 20)), 413,
            #"{"error":"Payload Too Large"}"#, "a body over 16 KiB")
        expectJSON(try HTTPClient.request("GET", plain + path, headers: [secret]), 403, #"{"error":"HTTPS Required"}"#, "plain HTTP to /api/cron")
        // The rate limit: 2 a second with a burst of 20.
        var limited: HTTPResponse?
        for _ in 0..<40 {
            let response = try HTTPClient.request("GET", https + "/api/cron/elsewhere")
            if response.status == 429 {
                limited = response
                break
            }
        }
        expectJSON(try #require(limited), 429, #"{"error":"Too Many Requests"}"#, "past the rate limit")
        // No worker answers: nginx cannot connect (502), and says 503.
        for worker in stack.workers { _ = try worker.stop() }
        usleep(1_100_000)  // a second for the rate limit to let one more through
        expectJSON(try HTTPClient.request("GET", https + path, headers: [secret]), 503, #"{"error":"Service Unavailable"}"#, "no worker running")
    }

    @Test("a request whose body never arrives in full is closed after 10 s with no answer at all (nginx logs 408)")
    func bodyNeverSent() throws {
        let started = Date()
        let client = try ChildProcess.run(
            "/usr/bin/curl",
            [
                "-s", "-k", "-i", "--http1.1", "--max-time", "40", "-X", "POST", "-H", "Authorization: Bearer \(Stack.secret)", "-H", "Content-Length: 100",
                "--data-binary", "partial", stack.nginx.baseURL + "/api/cron/cleanup-sessions",
            ])
        let took = Date().timeIntervalSince(started)
        #expect(client.status == 52, "curl: empty reply from the server (\(client.status)): \(client.stdout)")
        #expect(client.stdout.isEmpty, "no HTML, nothing at all")
        #expect(took > 8 && took < 30, "cut off at client_body_timeout, 10 s (took \(took) s)")
    }
}
