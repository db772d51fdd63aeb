import Testing

@testable import AuthSweep
@testable import CronAPI

@Suite("Router")
struct RouterTests {
    @Test("every row of the endpoint table routes to its job")
    func endpointTable() {
        #expect(Router.route(method: "GET", path: "/api/cron/cleanup-auth") == .endpoint(.cleanup(.cleanupAuth)))
        #expect(Router.route(method: "POST", path: "/api/cron/cleanup-sessions") == .endpoint(.cleanup(.cleanupSessions)))
        #expect(Router.route(method: "GET", path: "/api/cron/cleanup-sessions") == .endpoint(.sessionStats))
        #expect(Router.route(method: "GET", path: "/api/cron/health") == .endpoint(.health))
        #expect(Router.route(method: "GET", path: "/api/cron/metrics") == .endpoint(.metrics))
        #expect(Router.route(method: "POST", path: "/api/cron/health") == .methodNotAllowed(allowed: ["GET"]))
    }

    @Test("only the health check is open without the secret")
    func secretRequired() {
        #expect(Endpoint.allCases.filter { !$0.requiresSecret } == [.health])
    }

    @Test("a known path with another method is 405 with the allowed methods")
    func methodNotAllowed() {
        #expect(Router.route(method: "POST", path: "/api/cron/cleanup-auth") == .methodNotAllowed(allowed: ["GET"]))
        for method in ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "get", "TRACE"] {
            #expect(Router.route(method: method, path: "/api/cron/cleanup-sessions") == .methodNotAllowed(allowed: ["GET", "POST"]))
        }
    }

    @Test(
        "unknown, near-miss and encoded paths are 404",
        arguments: [
            "/", "/api/cron", "/api/cron/", "/api/cron/cleanup-auth/", "/api/cron/cleanup-authx",
            "/API/CRON/CLEANUP-AUTH", "/api/cron/cleanup%2Dauth", "/api/cron//cleanup-auth",
            "/api/cron/../cron/cleanup-auth", "", "/api/cron/cleanup-sessions/stats",
        ])
    func unknownPaths(path: String) {
        #expect(Router.route(method: "GET", path: path) == .notFound)
    }
}
