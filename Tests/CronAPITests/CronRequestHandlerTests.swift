@_spi(ForTesting) import FastCGI
import Foundation
import InMemoryLogging
import Logging
import Testing

@testable import AuthSweep
@testable import CronAPI

/// The whole request handler in process, from a synthetic request to the
/// response, its metrics and its log line: no socket, no nginx. Its
/// database is one that cannot be reached, so an answer that needed it is
/// a 500 and shows in the database error metric.
@Suite("the request handler, in process")
struct CronRequestHandlerTests {
    static let secret = "in-process-secret-0123456789"
    static let metricsToken = "in-process-metrics-token-0123"

    final class Harness {
        let logs = InMemoryLogHandler()
        let metrics = ServiceMetrics()
        let handler: CronRequestHandler

        init() {
            var configuration = Configuration()
            configuration.connectTimeoutSeconds = 1
            var settings = DatabaseSettings(configuration: configuration)
            settings.connectionString = "host=/nonexistent/authsweep-test port=1"
            let handlerLogs = logs
            var logger = Logger(label: "test", factory: { _ in handlerLogs })
            logger.logLevel = .info
            let context = CronContext(
                jobs: CleanupJobs(configuration: configuration, logger: logger, observers: [metrics]),
                metrics: metrics,
                authorizer: BearerAuthorizer(
                    secrets: [Array(CronRequestHandlerTests.secret.utf8)], readOnlyTokens: [Array(CronRequestHandlerTests.metricsToken.utf8)]),
                timeBudget: .seconds(20),
                logger: logger
            )
            handler = CronRequestHandler(context: context, database: DatabaseSession(settings: settings), logger: logger)
        }

        func send(_ method: String, _ uri: String, authorization: String? = nil) -> FastCGIResponse {
            var parameters: [(name: String, value: [UInt8])] = [("REQUEST_METHOD", Array(method.utf8)), ("REQUEST_URI", Array(uri.utf8))]
            if let authorization { parameters.append(("HTTP_AUTHORIZATION", Array(authorization.utf8))) }
            return handler.handle(FastCGIRequest(parameters: parameters))
        }

        var exposition: String { String(decoding: metrics.exposition(), as: UTF8.self) }

        func header(_ name: String, in response: FastCGIResponse) -> String? {
            response.headers.first { $0.name == name }?.value
        }
    }

    @Test(
        "a missing, malformed or wrong Authorization is 401 with WWW-Authenticate, and no database work",
        arguments: [
            nil, "", "Bearer", "Bearer ", "Basic \(secret)", "Bearer  \(secret)", "Bearer \(secret)x", "bearer wrong-secret-0123456789",
        ])
    func unauthorized(authorization: String?) {
        let harness = Harness()
        let response = harness.send("POST", "/api/cron/cleanup-sessions", authorization: authorization)
        #expect(response.status == 401)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":"Unauthorized"}"#)
        #expect(harness.header("WWW-Authenticate", in: response) == "Bearer")
        #expect(!harness.exposition.contains("authsweep_database_errors_total"))
    }

    @Test("unknown paths are 404 and other methods 405 with Allow, neither touching the database")
    func notFoundAndMethodNotAllowed() {
        let harness = Harness()
        let missing = harness.send("GET", "/api/cron/nothing-here", authorization: "Bearer \(Self.secret)")
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == #"{"error":"Not Found"}"#)
        let wrongMethod = harness.send("DELETE", "/api/cron/cleanup-sessions", authorization: "Bearer \(Self.secret)")
        #expect(wrongMethod.status == 405)
        #expect(harness.header("Allow", in: wrongMethod) == "GET, POST")
        #expect(!harness.exposition.contains("authsweep_database_errors_total"))
    }

    @Test("the scheme name is matched in any case and the query string never authenticates")
    func schemeCaseAndQuery() {
        let harness = Harness()
        // Past the Bearer check, the unreachable database makes it a 500.
        #expect(harness.send("GET", "/api/cron/cleanup-sessions", authorization: "bEaReR \(Self.secret)").status == 500)
        #expect(harness.send("GET", "/api/cron/cleanup-sessions?secret=\(Self.secret)").status == 401)
        #expect(harness.send("GET", "/api/cron/cleanup-sessions?token=\(Self.secret)").status == 401)
    }

    @Test("an unreachable database is a 500 with the fixed body, counted as a connection error")
    func databaseDown() {
        let harness = Harness()
        let response = harness.send("POST", "/api/cron/cleanup-sessions", authorization: "Bearer \(Self.secret)")
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"success":false,"error":"Internal Server Error"}"#)
        #expect(harness.exposition.contains(#"authsweep_database_errors_total{kind="connection"} 1"#))
        let health = harness.send("GET", "/api/cron/health")
        #expect(health.status == 503)
        #expect(harness.exposition.contains(#"authsweep_database_errors_total{kind="health"} 1"#))
    }

    @Test("health answers from a result at most a second old: a flood of checks is one database attempt per second, and no info log line each")
    func healthCached() throws {
        let harness = Harness()
        let attempts = { harness.logs.entries.filter { $0.message == "health check failed" }.count }
        let started = ContinuousClock.now
        for _ in 0..<200 {
            #expect(harness.send("GET", "/api/cron/health").status == 503)
        }
        // Only meaningful if the flood took under the second the answer is kept.
        if started.duration(to: .now) < .milliseconds(900) {
            #expect(attempts() == 1)
        }
        #expect(!harness.logs.entries.contains { $0.message == "request" }, "health lines are debug")
        #expect(harness.logs.entries.filter { "\($0.message)".hasPrefix("health:") }.count <= 1)
        usleep(1_100_000)
        #expect(harness.send("GET", "/api/cron/health").status == 503)
        #expect(attempts() >= 2, "a result older than a second is not reused")
    }

    @Test("the metrics token opens metrics and nothing else; the cron secret still opens metrics")
    func metricsToken() {
        let harness = Harness()
        let token = "Bearer \(Self.metricsToken)"
        #expect(harness.send("GET", "/api/cron/metrics", authorization: token).status == 200)
        #expect(harness.send("GET", "/api/cron/metrics", authorization: "Bearer \(Self.secret)").status == 200)
        #expect(harness.send("POST", "/api/cron/cleanup-sessions", authorization: token).status == 401)
        #expect(harness.send("GET", "/api/cron/cleanup-sessions", authorization: token).status == 401)
        #expect(harness.send("GET", "/api/cron/cleanup-auth", authorization: token).status == 401)
        #expect(!harness.exposition.contains("authsweep_database_errors_total"), "no cleanup was attempted")
        // Status is read-only: the token opens it (here a 500, the database being unreachable).
        #expect(harness.send("GET", "/api/cron/status", authorization: token).status == 500)
        #expect(harness.send("GET", "/api/cron/status").status == 401)
    }

    @Test("each refusal is counted by reason and logged with its reason and the client's address, never a byte of the token")
    func authFailureReasons() {
        let harness = Harness()
        func send(_ authorization: String?) -> Int {
            var parameters: [(name: String, value: [UInt8])] = [
                ("REQUEST_METHOD", Array("GET".utf8)), ("REQUEST_URI", Array("/api/cron/cleanup-auth".utf8)), ("REMOTE_ADDR", Array("203.0.113.7".utf8)),
            ]
            if let authorization { parameters.append(("HTTP_AUTHORIZATION", Array(authorization.utf8))) }
            return harness.handler.handle(FastCGIRequest(parameters: parameters)).status
        }
        #expect(send(nil) == 401)
        #expect(send("Basic dXNlcjpwYXNz") == 401)
        #expect(send("Bearer presented-token-0123456789") == 401)
        let exposition = harness.exposition
        for reason in ["missing", "malformed", "mismatch"] {
            #expect(exposition.contains(#"authsweep_auth_failures_total{reason="\#(reason)"} 1"#), "\(exposition)")
        }
        #expect(!exposition.contains("job=") && !exposition.contains("instance="), "no label Prometheus would rename")
        let lines = harness.logs.entries.filter { $0.message == "request" }
        #expect(lines.map { $0.metadata["auth.failure"].map { "\($0)" } } == ["missing", "malformed", "mismatch"])
        #expect(lines.allSatisfy { $0.metadata["client.address"] == "203.0.113.7" })
        for entry in harness.logs.entries {
            let text = "\(entry.message) \(entry.metadata)"
            #expect(!text.contains("presented-token") && !text.contains("dXNlcjpwYXNz"))
        }
    }

    @Test("which secret opened a request is counted: current, previous or the metrics token")
    func secretCounted() {
        let harness = Harness()
        _ = harness.send("GET", "/api/cron/metrics", authorization: "Bearer \(Self.secret)")
        _ = harness.send("GET", "/api/cron/metrics", authorization: "Bearer \(Self.metricsToken)")
        let exposition = harness.exposition
        #expect(exposition.contains(#"authsweep_auth_successes_total{secret="current"} 1"#))
        #expect(exposition.contains(#"authsweep_auth_successes_total{secret="metrics"} 1"#))
        #expect(exposition.contains(#"authsweep_auth_successes_total{secret="previous"} 0"#))
    }

    @Test("build info and the responders' states are exposed, the busy count back to 0 after a request")
    func buildInfoAndResponders() {
        let harness = Harness()
        harness.metrics.registerServer(responders: 4)
        _ = harness.send("GET", "/api/cron/cleanup-auth")
        let exposition = harness.exposition
        #expect(exposition.contains(#"authsweep_build_info{version="\#(BuildInfo.version)"} 1"#), "\(exposition)")
        #expect(exposition.contains(#"authsweep_responders{state="idle"} 4"#), "\(exposition)")
        #expect(exposition.contains(#"authsweep_responders{state="busy"} 0"#))
    }

    @Test("requests are counted by a bounded route label and their status")
    func metricsLabels() {
        let harness = Harness()
        _ = harness.send("GET", "/api/cron/cleanup-auth")
        _ = harness.send("GET", "/api/cron/\(String(repeating: "x", count: 40))")
        _ = harness.send("GET", "/wp-login.php")
        _ = harness.send("PUT", "/api/cron/cleanup-auth")
        let metrics = harness.send("GET", "/api/cron/metrics", authorization: "Bearer \(Self.secret)")
        #expect(metrics.status == 200)
        #expect(harness.header("Content-Type", in: metrics)?.hasPrefix("text/plain") == true)
        let exposition = harness.exposition
        #expect(exposition.contains(#"authsweep_http_requests_total{route="cleanup-auth",status="401"} 1"#))
        #expect(exposition.contains(#"authsweep_http_requests_total{route="other",status="404"} 2"#), "unknown paths share one label")
        #expect(exposition.contains(#"authsweep_http_requests_total{route="/api/cron/cleanup-auth",status="405"} 1"#))
        #expect(!exposition.contains("wp-login") && !exposition.contains("xxxx"))
    }

    @Test("a flood of answered requests from one peer leaves ten lines a minute in the log, and others' lines are kept")
    func floodLimited() {
        let harness = Harness()
        func send(from address: String) {
            let parameters: [(name: String, value: [UInt8])] = [
                ("REQUEST_METHOD", Array("GET".utf8)), ("REQUEST_URI", Array("/api/cron/cleanup-auth".utf8)), ("REMOTE_ADDR", Array(address.utf8)),
            ]
            #expect(harness.handler.handle(FastCGIRequest(parameters: parameters)).status == 401)
        }
        for _ in 0..<1_000 { send(from: "203.0.113.7") }
        send(from: "198.51.100.1")
        let lines = harness.logs.entries.filter { $0.message == "request" }
        #expect(lines.filter { $0.metadata["client.address"] == "203.0.113.7" }.count == 10)
        #expect(lines.filter { $0.metadata["client.address"] == "198.51.100.1" }.count == 1)
        #expect(harness.exposition.contains(#"authsweep_http_requests_total{route="cleanup-auth",status="401"} 1001"#), "every request is still counted")
    }

    @Test("one log line per request with method, path, status and duration; never the secret or the header")
    func logLine() throws {
        let harness = Harness()
        _ = harness.send("GET", "/api/cron/cleanup-auth?token=\(Self.secret)", authorization: "Bearer wrong-\(Self.secret)")
        _ = harness.send("GET", "/api/cron/cleanup-sessions", authorization: "Bearer \(Self.secret)")
        let lines = harness.logs.entries.filter { $0.message == "request" }
        #expect(lines.count == 2)
        let rejected = try #require(lines.first)
        #expect(rejected.level == .info)
        #expect(rejected.metadata["request.method"] == "GET")
        #expect(rejected.metadata["request.path"] == "/api/cron/cleanup-auth")
        #expect(rejected.metadata["response.status"] == "401")
        #expect(rejected.metadata["request.duration_ms"] != nil)
        let failed = try #require(lines.last)
        #expect(failed.level == .error)
        #expect(failed.metadata["response.status"] == "500")
        #expect(failed.metadata["error"] != nil, "a 500's detail goes to the log")
        for entry in harness.logs.entries {
            let text = "\(entry.message) \(entry.metadata)"
            #expect(!text.contains(Self.secret), "\(text)")
        }
    }

    @Test(
        "a peer's path, method and address are logged with every control character escaped: CR, LF, CRLF, NEL and U+2028 end no line",
        arguments: ["\r\n<2>forged", "\n<2>forged", "\r<2>forged", "\u{85}<2>forged", "\u{2028}<2>forged", "\u{7F}\u{1B}[31m"])
    func controlCharacters(injected: String) {
        let harness = Harness()
        let parameters: [(name: String, value: [UInt8])] = [
            ("REQUEST_METHOD", Array("GET\(injected)".utf8)), ("REQUEST_URI", Array("/api/cron/cleanup-auth\(injected)".utf8)),
            ("REMOTE_ADDR", Array("203.0.113.7\(injected)".utf8)),
        ]
        _ = harness.handler.handle(FastCGIRequest(parameters: parameters))
        let line = harness.logs.entries.first { $0.message == "request" }
        let fields = ["request.method", "request.path", "client.address"].compactMap { line?.metadata[$0].map { "\($0)" } }
        #expect(fields.count >= 2, "\(String(describing: line))")
        for field in fields {
            #expect(!field.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 }, "\(field.debugDescription)")
            #expect(field.contains("\\u{"), "escaped, not dropped: \(field)")
        }
    }
}
