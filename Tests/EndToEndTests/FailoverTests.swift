import Foundation
import Postgres
import TestSupport
import Testing

@Suite("a primary failover in the middle of a cleanup")
final class FailoverTests {
    @Test(
        "the running cleanup answers 500, the workers reach the promoted standby by themselves, the next run finishes; no live session lost, no run audited twice, nothing left locked"
    )
    func failover() throws {
        let scratch = try ScratchDirectory("failover")
        let primary = try PostgresServer(in: scratch.path + "/primary")
        try PGConnection(connectionString: primary.connectionString).executeScript(unsafeSQL: "SET client_min_messages = warning;" + TestDatabase.schema)
        let onPrimary = TestDatabase(name: "postgres", connectionString: primary.connectionString)
        let expired = 300_000
        try onPrimary.insertSessions(expired, prefix: "old-", expiringIn: -60)
        try onPrimary.insertSessions(5_000, prefix: "live-", expiringIn: 4 * 3600)
        let standby = try PostgresServer(standbyOf: primary, in: scratch.path + "/standby")
        let onStandby = TestDatabase(name: "postgres", connectionString: standby.connectionString)
        try waitFor("the standby to catch up", seconds: 30) { (try? onStandby.rowCount("Session")) == expired + 5_000 }

        // check, pointed at the standby alone, says what is wrong.
        let secret: [String: String?] = ["CRON_SECRET": Stack.secret, "CRON_SECRET_FILE": nil]
        let standbyCheck = try authsweep(["check"], database: onStandby, environment: secret)
        #expect(standbyCheck.status == 1)
        #expect(standbyCheck.stdout.contains("PROBLEM the server is a standby (read-only)"), "\(standbyCheck.stdout)")

        let url = PostgresServer.readWriteConnectionString([primary, standby])
        let stack = try Stack("failover", workerEnvironment: ["DATABASE_URL": url, "AUTHSWEEP_CLEANUP_BATCH_SIZE": "200"])
        let curl = try backgroundCleanup(stack)
        try waitUntilDeleting(onPrimary, expired: expired)
        try primary.crash()
        try standby.promote()

        let interrupted = try finishedResponse(curl)
        #expect(interrupted.status == 500, "\(interrupted.body)")
        #expect(interrupted.body == #"{"success":false,"error":"Internal Server Error"}"#)

        // The workers reconnect on their own; a run may need a second call
        // when the first hits its time budget.
        var response = try stack.request("POST", "/api/cron/cleanup-sessions")
        for _ in 0..<5 where response.status == 200 && response.json?["hasMore"] as? Bool == true {
            response = try stack.request("POST", "/api/cron/cleanup-sessions")
        }
        #expect(response.status == 200, "\(response.body)")
        #expect(stack.workers.allSatisfy { $0.process.isRunning }, "no worker restarted")
        #expect(try onStandby.rowCount("Session", where: "id LIKE 'live-%'") == 5_000, "no live session deleted")
        #expect(try onStandby.rowCount("Session", where: "id LIKE 'old-%'") == 0, "the job is finished")
        let audited = try onStandby.rowCount("AuditLog", where: "action = 'SESSION_CLEANUP'")
        let runs = try onStandby.rowCount("AuditLog")
        #expect(audited >= 1 && runs == audited, "one row per finished run, none for the interrupted one's lost connection")
        #expect(try onStandby.leasesHeld() == 0)
        #expect(try onStandby.integer("SELECT count(*) FROM authsweep_jobs WHERE holder IS NOT NULL") == 0, "the finished run released its lease")
        let check = try authsweep(["check"], database: nil, environment: secret.merging(["DATABASE_URL": url]) { $1 })
        #expect(check.stdout.contains("ok      the server accepts writes"), "\(check.stdout)")
    }
}
