import Foundation
import Postgres
import TestSupport
import Testing

/// The settings every server connection of the pool shows, read from
/// `poolSize` client connections each holding a transaction at once (so
/// each is given a server connection of its own), with their backend pids.
func pooledServerSettings(_ bouncer: PgBouncerServer, database: String, poolSize: Int = 3) throws -> [(settings: [String?], pid: String?)] {
    let clients = try (0..<poolSize).map { _ in try PGConnection(connectionString: bouncer.connectionString(database: database)) }
    for client in clients { try client.query("BEGIN") }
    let rows = try clients.map { client in
        try client.query(
            """
            SELECT current_setting('statement_timeout'), current_setting('lock_timeout'),
                   current_setting('idle_in_transaction_session_timeout'), current_setting('synchronous_commit'), pg_backend_pid()::text
            """
        ).rows[0]
    }
    for client in clients { try client.query("COMMIT") }
    return rows.map { (Array($0.prefix(4)), $0[4]) }
}

/// The same settings on a new direct connection: the database's defaults.
func defaultSettings(_ database: TestDatabase) throws -> [String?] {
    try Array(
        database.connect().query(
            """
            SELECT current_setting('statement_timeout'), current_setting('lock_timeout'),
                   current_setting('idle_in_transaction_session_timeout'), current_setting('synchronous_commit')
            """
        ).rows[0])
}

@Suite("behind PgBouncer in transaction mode (pool of 3)", .serialized)
final class TransactionPoolerTests {
    let scratch: ScratchDirectory
    let bouncer: PgBouncerServer
    let stack: Stack
    var pooledURL: String { bouncer.connectionString(database: stack.database.name) }

    init() throws {
        scratch = try ScratchDirectory("pooler")
        bouncer = try PgBouncerServer(in: scratch.path, poolMode: "transaction", poolSize: 3)
        let databaseName = "authsweep_test_e2e_pooled"
        stack = try Stack(
            "pooled",
            workerEnvironment: [
                "DATABASE_URL": bouncer.connectionString(database: databaseName), "AUTHSWEEP_CLEANUP_BATCH_SIZE": "1000",
                "AUTHSWEEP_CLEANUP_LEASE_SECONDS": "5",
            ])
    }

    func expectPoolClean(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let defaults = try defaultSettings(stack.database)
        let pool = try pooledServerSettings(bouncer, database: stack.database.name)
        #expect(Set(pool.map(\.pid)).count == 3, "three server connections", sourceLocation: sourceLocation)
        for connection in pool {
            #expect(connection.settings == defaults, "no setting left on server connection \(connection.pid ?? "?")", sourceLocation: sourceLocation)
        }
        #expect(try stack.database.advisoryLocks() == 0, sourceLocation: sourceLocation)
    }

    @Test("the three endpoints answer as the contract says, and leave every pooled server connection with the database's settings")
    func endpoints() throws {
        try stack.database.insertSessions(42, prefix: "old-", expiringIn: -60)
        try stack.database.insertSessions(108, prefix: "live-", expiringIn: 3600)
        let stats = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(stats.status == 200)
        let counts = stats.json?["stats"] as? [String: Any]
        #expect(counts?["total"] as? Int == 150 && counts?["expired"] as? Int == 42 && counts?["active"] as? Int == 108)
        let cleanup = try stack.request("POST", "/api/cron/cleanup-sessions")
        #expect(cleanup.status == 200)
        #expect(cleanup.json?["deletedCount"] as? Int == 42)
        #expect(cleanup.json?["message"] as? String == "Successfully deleted 42 expired session(s)")
        let auth = try stack.request("GET", "/api/cron/cleanup-auth")
        #expect(auth.status == 200)
        #expect(auth.json?["message"] as? String == "Cleanup completed")
        #expect(try stack.request("GET", "/api/cron/health", token: nil).status == 200)
        #expect(try stack.database.rowCount("AuditLog", where: "action = 'SESSION_CLEANUP'") == 1)
        #expect(try stack.database.leasesHeld() == 0)
        try expectPoolClean()
    }

    @Test("workers and the CLI asked at the same moment through the pooler: only 200 and 409, every expired row deleted once, one audit row per run")
    func concurrentRuns() throws {
        try expectOneRunAtATime(stack, cliDatabaseURL: pooledURL)
        try expectPoolClean()
    }

    @Test("a CLI run killed with SIGKILL leaves its lease for at most cleanup.lease_seconds; then the next run finishes the job")
    func killedRun() throws {
        let expired = 200_000
        try stack.database.insertSessions(expired, prefix: "old-", expiringIn: -60)
        try stack.database.insertSessions(1_000, prefix: "live-", expiringIn: 3600)
        let environment: [String: String?] = ["DATABASE_URL": pooledURL, "AUTHSWEEP_CLEANUP_BATCH_SIZE": "200", "AUTHSWEEP_CLEANUP_LEASE_SECONDS": "5"]
        let cli = try ChildProcess(PackagePaths.binary, ["cleanup-sessions"], environment: environment)
        try waitUntilDeleting(stack.database, expired: expired)
        cli.signal(SIGKILL)
        cli.waitUntilExit()
        let killedAt = Date()
        var next = try authsweep(["cleanup-sessions", "--json"], database: nil, environment: environment)
        while next.status == 75, Date().timeIntervalSince(killedAt) < 10 {
            usleep(500_000)
            next = try authsweep(["cleanup-sessions", "--json"], database: nil, environment: environment)
        }
        #expect(next.status == 0, "\(next.stderr)")
        #expect(Date().timeIntervalSince(killedAt) < 8, "the lease was free within its 5 s")
        #expect(try stack.database.rowCount("Session") == 1_000, "no live session deleted, every expired one gone")
        #expect(try stack.database.leasesHeld() == 0)
        try expectPoolClean()
    }

    @Test("check says a transaction pooler is in between, and what it means; a direct connection shows none")
    func checkSeesThePooler() throws {
        let secret: [String: String?] = ["CRON_SECRET": Stack.secret, "CRON_SECRET_FILE": nil]
        let pooled = try authsweep(["check"], database: nil, environment: secret.merging(["DATABASE_URL": pooledURL]) { $1 })
        #expect(pooled.stdout.contains("a transaction-mode pooler is in between"), "\(pooled.stdout)")
        #expect(pooled.stdout.contains("ok      the server accepts writes"))
        let direct = try authsweep(["check"], database: stack.database, environment: secret)
        #expect(!direct.stdout.contains("pooler"), "\(direct.stdout)")
    }
}

@Suite("behind PgBouncer in session mode")
final class SessionPoolerTests {
    @Test("cleanups and stats work, and leave the pooled server connections with the database's settings")
    func sessionMode() throws {
        let scratch = try ScratchDirectory("session-pooler")
        let bouncer = try PgBouncerServer(in: scratch.path, poolMode: "session", poolSize: 8)
        let stack = try Stack("session_pooled", workerEnvironment: ["DATABASE_URL": bouncer.connectionString(database: "authsweep_test_e2e_session_pooled")])
        try stack.database.insertSessions(30, prefix: "old-", expiringIn: -60)
        #expect(try stack.request("POST", "/api/cron/cleanup-sessions").json?["deletedCount"] as? Int == 30)
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200)
        #expect(try stack.request("GET", "/api/cron/cleanup-auth").status == 200)
        #expect(try stack.database.leasesHeld() == 0)
        // The workers hold their server connections in session mode: stop them first.
        for worker in stack.workers { _ = try worker.stop() }
        let defaults = try defaultSettings(stack.database)
        for connection in try pooledServerSettings(bouncer, database: stack.database.name) {
            #expect(connection.settings == defaults)
        }
    }
}

@Suite("dead-man pings from the workers")
final class WorkerPingTests {
    @Test("an HTTP-triggered cleanup pings start, then success with the same rid and the answer it gave")
    func httpRunPings() throws {
        let recorder = try PingRecorder()
        let stack = try Stack("pings", workerEnvironment: ["AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL])
        try stack.database.insertSessions(4, prefix: "old-", expiringIn: -60)
        let response = try stack.request("POST", "/api/cron/cleanup-sessions")
        #expect(response.status == 200)
        let requests = recorder.requests
        try #require(requests.count == 2, "\(requests)")
        #expect(requests[0].method == "GET" && requests[0].target.hasPrefix("/ping/cleanup-sessions/start?rid="))
        #expect(requests[1].method == "POST" && requests[1].target == "/ping/cleanup-sessions?" + requests[0].target.split(separator: "?")[1])
        #expect(requests[1].body == response.body)
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200)
        #expect(recorder.requests.count == 2, "stats are not runs")
    }

    @Test("a stalled ping service: the HTTP run's budget counts from after the start ping, and its answer comes within the budget and 20 s")
    func stalledService() throws {
        let stalled = try PingRecorder(stalled: true)
        let stack = try Stack(
            "stalled_pings",
            workerEnvironment: ["AUTHSWEEP_MONITOR_PING_URL": stalled.baseURL, "AUTHSWEEP_CLEANUP_HTTP_TIME_BUDGET_SECONDS": "3"])
        try stack.database.insertSessions(500, prefix: "old-", expiringIn: -60)
        let started = Date()
        let response = try stack.request("POST", "/api/cron/cleanup-sessions")
        let took = Date().timeIntervalSince(started)
        // A budget counted from before the start ping would be spent by it: nothing deleted, hasMore.
        #expect(response.status == 200 && response.json?["deletedCount"] as? Int == 500 && (response.json?["hasMore"] as? Bool) != true, "\(response.body)")
        #expect(took < 3 + 20 + 1, "took \(took) s")
        // The answer may come before the end ping is sent (a slow build,
        // such as the address sanitizer's, shows it): waited for, within
        // the 10 s a ping's tries may take.
        try? waitFor("the end ping to arrive", seconds: 15) { stalled.heldRequests.count >= 2 }
        let held = stalled.heldRequests
        try #require(held.count == 2, "\(held.map(\.request.target))")
        #expect(held[1].arrived >= held[0].abandoned, "the end ping was sent while the start ping was in flight")
        #expect(held[0].request.target.contains("/start?rid=") && held[1].request.target == held[0].request.target.replacing("/start?", with: "?"))
    }
}
