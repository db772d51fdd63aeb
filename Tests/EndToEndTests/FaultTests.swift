import Foundation
import Postgres
import TestSupport
import Testing

/// A POST to cleanup-sessions through nginx, running in the background.
func backgroundCleanup(_ stack: Stack) throws -> ChildProcess {
    try ChildProcess(
        "/usr/bin/curl",
        [
            "-s", "-k", "-i", "--http1.1", "--max-time", "60", "-X", "POST",
            "-H", "Authorization: Bearer \(Stack.secret)", stack.nginx.baseURL + "/api/cron/cleanup-sessions",
        ])
}

/// Status and JSON body of a finished background curl.
func finishedResponse(_ curl: ChildProcess) throws -> HTTPResponse {
    #expect(curl.waitUntilExit(timeout: 60))
    return try HTTPClient.parse(curl.standardOutput)
}

/// A pool whose cleanup of `expired` sessions (beside 5,000 live ones) in
/// batches of 200 has been started over HTTP and is deleting.
func largeCleanupUnderWay(_ name: String, expired: Int) throws -> (Stack, ChildProcess) {
    let stack = try Stack(name, workerEnvironment: ["AUTHSWEEP_CLEANUP_BATCH_SIZE": "200"])
    try stack.database.insertSessions(expired, prefix: "old-", expiringIn: -60)
    try stack.database.insertSessions(5_000, prefix: "live-", expiringIn: 4 * 3600)
    let curl = try backgroundCleanup(stack)
    try waitUntilDeleting(stack.database, expired: expired)
    return (stack, curl)
}

/// Waits until some expired sessions are gone: the cleanup is under way.
func waitUntilDeleting(_ database: TestDatabase, expired: Int) throws {
    try waitFor("the cleanup to start deleting", seconds: 20) {
        ((try? database.rowCount("Session", where: "id LIKE 'old-%'")) ?? expired) < expired
    }
}

@Suite("faults: the database goes away, connections are killed, statements time out", .serialized)
final class DatabaseFaultTests {
    @Test("with PostgreSQL stopped, authenticated requests answer 500 promptly; after it starts again they succeed, with no worker restart")
    func postgresStopped() throws {
        let scratch = try ScratchDirectory("pgstop")
        let postgres = try PostgresServer(in: scratch.path)
        try PGConnection(connectionString: postgres.connectionString).executeScript(unsafeSQL: "SET client_min_messages = warning;" + TestDatabase.schema)
        let stack = try Stack("pgstop", workerEnvironment: ["DATABASE_URL": postgres.connectionString])
        for _ in 0..<3 { #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200) }
        let reading = try stack.request("GET", "/api/cron/metrics").body
        #expect(reading.contains("authsweep_run_records_readable 1.0"), "\(reading)")
        #expect(reading.contains(#"authsweep_database_errors_total{kind="schema"} 0"#), "every kind at 0 from the start: \(reading)")

        try postgres.stop()
        // What the timer's runs meet now, the scrape meets too: the alert needs no recorded run.
        #expect(try stack.request("GET", "/api/cron/metrics").body.contains("authsweep_run_records_readable 0.0"))
        for (method, path) in [("GET", "/api/cron/cleanup-sessions"), ("POST", "/api/cron/cleanup-sessions"), ("GET", "/api/cron/cleanup-auth")] {
            let started = Date()
            let response = try stack.request(method, path)
            #expect(response.status == 500)
            #expect(response.body == #"{"success":false,"error":"Internal Server Error"}"#)
            #expect(Date().timeIntervalSince(started) < 7, "bounded by connect_timeout (5 s)")
        }
        #expect(stack.workers.allSatisfy { $0.process.isRunning })

        try postgres.start()
        #expect(try stack.request("GET", "/api/cron/metrics").body.contains("authsweep_run_records_readable 1.0"))
        for _ in 0..<6 {
            #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200)
        }
        #expect(try stack.request("POST", "/api/cron/cleanup-sessions").status == 200)
    }

    @Test("a connection killed by the server in the middle of a cleanup touches nothing outside the rules, and the next run finishes")
    func backendTerminated() throws {
        let expired = 300_000
        let (stack, curl) = try largeCleanupUnderWay("terminate", expired: expired)
        let killed = try stack.database.integer(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = \(stack.database.name) AND application_name = 'authsweep'")
        #expect(killed >= 1)
        let response = try finishedResponse(curl)
        #expect(response.status == 500 || (response.status == 200 && response.json?["hasMore"] as? Bool == true), "\(response.status) \(response.body)")
        #expect(try stack.database.rowCount("Session", where: "id LIKE 'live-%'") == 5_000)
        let left = try stack.database.rowCount("Session", where: "id LIKE 'old-%'")
        #expect(left > 0 && left < expired)

        let next = try stack.request("POST", "/api/cron/cleanup-sessions")
        #expect(next.status == 200)
        #expect(next.json?["deletedCount"] as? Int == left)
        #expect(try stack.database.rowCount("Session") == 5_000)
    }

    @Test(
        "statement_timeout and lock_timeout make a blocked query fail cleanly with 500; the worker then serves normally",
        arguments: [
            ["AUTHSWEEP_DATABASE_STATEMENT_TIMEOUT_MS": "300", "AUTHSWEEP_DATABASE_LOCK_TIMEOUT_MS": "0"],
            ["AUTHSWEEP_DATABASE_STATEMENT_TIMEOUT_MS": "0", "AUTHSWEEP_DATABASE_LOCK_TIMEOUT_MS": "300"],
        ])
    func timeouts(settings: [String: String]) throws {
        let stack = try Stack("timeouts", workerEnvironment: settings.mapValues { $0 })
        let blocker = try stack.database.connect()
        try blocker.query("BEGIN")
        try blocker.query(#"LOCK TABLE "Session" IN ACCESS EXCLUSIVE MODE"#)
        for _ in 0..<3 {
            let started = Date()
            let response = try stack.request("GET", "/api/cron/cleanup-sessions")
            #expect(response.status == 500)
            #expect(response.body == #"{"success":false,"error":"Internal Server Error"}"#)
            #expect(Date().timeIntervalSince(started) < 5)
        }
        try blocker.query("ROLLBACK")
        for _ in 0..<3 {
            #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200)
        }
        var log = ""
        for worker in stack.workers {
            _ = try worker.stop()
            log += worker.process.standardError
        }
        #expect(log.contains("timed out"), "the log says why")
    }
}

@Suite("faults: workers killed or stopped during a cleanup", .serialized)
final class WorkerFaultTests {
    @Test("SIGKILL in the middle of a large cleanup loses nothing unexpired and leaves the lock free")
    func killed() throws {
        let expired = 300_000
        let (stack, curl) = try largeCleanupUnderWay("sigkill", expired: expired)
        for worker in stack.workers { worker.process.signal(SIGKILL) }
        _ = try finishedResponse(curl)
        // Its backend exits with it, which frees the lease.
        try waitFor("the killed worker's lease to be free", seconds: 10) {
            (try? stack.database.leasesHeld()) == 0
        }
        #expect(try stack.database.rowCount("Session", where: "id LIKE 'live-%'") == 5_000)
        let left = try stack.database.rowCount("Session", where: "id LIKE 'old-%'")
        #expect(left > 0)
        let cli = try authsweep(["cleanup-sessions", "--json"], database: stack.database)
        #expect(cli.status == 0, "the next run starts at once: \(cli.stderr)")
        #expect(cli.stdout.contains(#""deletedCount":\#(left),"#))
        #expect(try stack.database.rowCount("Session") == 5_000)
    }

    @Test("SIGTERM during a cleanup lets the request finish, then the worker exits 0")
    func terminated() throws {
        let stack = try Stack("sigterm", workerEnvironment: ["AUTHSWEEP_CLEANUP_BATCH_SIZE": "500"])
        let expired = 200_000
        try stack.database.insertSessions(expired, prefix: "old-", expiringIn: -60)
        let curl = try backgroundCleanup(stack)
        try waitUntilDeleting(stack.database, expired: expired)
        for worker in stack.workers { worker.process.signal(SIGTERM) }
        let response = try finishedResponse(curl)
        #expect(response.status == 200)
        #expect(response.json?["deletedCount"] as? Int == expired)
        for worker in stack.workers {
            #expect(worker.process.waitUntilExit(timeout: 10))
            #expect(worker.process.exitStatus == 0)
        }
        #expect(try stack.database.rowCount("Session") == 0)
    }
}

@Suite("concurrency across the pool and the CLI")
final class PoolConcurrencyTests {
    @Test("workers and the CLI asked at the same moment: one runs, the others get 409 or exit 75, and every expired row is deleted once")
    func simultaneousCleanups() throws {
        let stack = try Stack("concurrent", workerEnvironment: ["AUTHSWEEP_CLEANUP_BATCH_SIZE": "1000"])
        try expectOneRunAtATime(stack, cliDatabaseURL: stack.database.connectionString)
    }
}

/// Six HTTP cleanups and one CLI cleanup of 100,000 expired sessions at the
/// same moment: only 200 and 409 (or exit 75), the deleted counts add up to
/// the expired rows, and each successful run left one audit row.
func expectOneRunAtATime(_ stack: Stack, cliDatabaseURL: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expired = 100_000
    try stack.database.insertSessions(expired, prefix: "old-", expiringIn: -60)
    try stack.database.insertSessions(1_000, prefix: "live-", expiringIn: 3600)
    let curls = try (0..<6).map { _ in try backgroundCleanup(stack) }
    let cli = try ChildProcess(
        PackagePaths.binary, ["cleanup-sessions", "--json"], environment: ["DATABASE_URL": cliDatabaseURL, "AUTHSWEEP_CLEANUP_BATCH_SIZE": "1000"])
    var deleted = 0
    var statuses: [Int] = []
    for curl in curls {
        let response = try finishedResponse(curl)
        statuses.append(response.status)
        if response.status == 200 { deleted += response.json?["deletedCount"] as? Int ?? 0 }
    }
    #expect(cli.waitUntilExit(timeout: 60), sourceLocation: sourceLocation)
    #expect([0, 75].contains(cli.exitStatus), "\(cli.standardError)", sourceLocation: sourceLocation)
    if cli.exitStatus == 0, let data = cli.standardOutput.data(using: .utf8),
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    {
        deleted += json["deletedCount"] as? Int ?? 0
    }
    #expect(statuses.allSatisfy { $0 == 200 || $0 == 409 }, "\(statuses)", sourceLocation: sourceLocation)
    #expect(statuses.contains(409) || cli.exitStatus == 75, "the runs overlapped", sourceLocation: sourceLocation)
    #expect(deleted == expired, sourceLocation: sourceLocation)
    #expect(try stack.database.rowCount("Session") == 1_000, sourceLocation: sourceLocation)
    #expect(
        try stack.database.rowCount("AuditLog", where: "action = 'SESSION_CLEANUP'") == statuses.filter { $0 == 200 }.count + (cli.exitStatus == 0 ? 1 : 0),
        sourceLocation: sourceLocation)
    #expect(try stack.database.leasesHeld() == 0, sourceLocation: sourceLocation)
}
