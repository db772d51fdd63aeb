import AuthSweep
import Fixtures
import Foundation
import InMemoryLogging
import Locking
import Logging
import Postgres
import TestSupport
import Testing

/// `cleanup.max_replica_lag_ms` against a real streaming standby
/// (`pg_basebackup`), whose replay the test stops and starts again.
@Suite("a cleanup never leaves a standby further behind than the bound", .serialized)
final class ReplicaLagTests {
    let scratch: ScratchDirectory
    let primary: PostgresServer
    let standby: PostgresServer
    let database: TestDatabase
    let onStandby: TestDatabase

    init() throws {
        scratch = try ScratchDirectory("replica-lag")
        primary = try PostgresServer(in: scratch.path + "/primary")
        database = TestDatabase(name: "postgres", connectionString: primary.connectionString)
        try database.resetSchema()
        standby = try PostgresServer(standbyOf: primary, in: scratch.path + "/standby")
        onStandby = TestDatabase(name: "postgres", connectionString: standby.connectionString)
    }

    private func waitForStandby() throws {
        try waitFor("the standby to replay everything", seconds: 30) {
            let sent = try? database.integer("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
            let replayed = try? onStandby.integer("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
            return sent != nil && replayed != nil && replayed! >= sent!
        }
    }

    private func jobs(boundMilliseconds: Int) -> TestJobs {
        TestJobs(database) {
            $0.maxReplicaLagMilliseconds = boundMilliseconds
            $0.batchSize = 50
            $0.deletionScan = .index
        }
    }

    @Test(
        "a streaming standby that keeps up costs no wait; one that stops replaying stops the deletions within the bound, the run answers hasMore, and the next run finishes once it replays again"
    )
    func boundHolds() throws {
        try database.insertSessions(5_000, prefix: "keeping-up-", expiringIn: -60)
        try waitForStandby()
        let keepingUp = jobs(boundMilliseconds: 300)
        #expect(try keepingUp.cleanupSessions().deletedCount == 5_000)
        #expect(!keepingUp.logs.entries.contains { $0.message.description.contains("the cleanup waits") }, "no wait for a standby that keeps up")

        try database.insertSessions(40_000, prefix: "stopped-", expiringIn: -60)
        try waitForStandby()
        try onStandby.execute("SELECT pg_wal_replay_pause()")
        let stopped = jobs(boundMilliseconds: 300)
        let progress = Locked<[(at: ContinuousClock.Instant, deleted: Int)]>([])
        let started = ContinuousClock.now
        let waited = try stopped.cleanupSessions(
            CleanupOptions(timeBudget: .seconds(3), progress: { _, deleted in progress.withLock { $0.append((.now, deleted)) } }))
        let batches = progress.withLock { $0 }
        #expect(waited.hasMore && waited.deletedCount < 40_000, "\(waited.deletedCount) deleted")
        let lastBatch = try #require(batches.last)
        // The bound, plus a batch, plus the 100 ms between looks.
        #expect(started.duration(to: lastBatch.at) < .milliseconds(1_000), "the last batch ended \(started.duration(to: lastBatch.at)) into the run")
        #expect(started.duration(to: .now) >= .seconds(3), "the run waited out its budget")
        #expect(stopped.logs.entries.contains { $0.message.description.contains("lags past cleanup.max_replica_lag_ms; the cleanup waits") })

        try onStandby.execute("SELECT pg_wal_replay_resume()")
        let resumed = jobs(boundMilliseconds: 300)
        let rest = try resumed.cleanupSessions()
        #expect(rest.deletedCount == 40_000 - waited.deletedCount && !rest.hasMore)
        try waitForStandby()
        #expect(try onStandby.rowCount("Session") == 0)
    }

    @Test("a role that may not see the standbys' replay: the bound is ignored with a warning, and check says which grant it needs")
    func hiddenReplay() throws {
        try database.execute(
            """
            CREATE ROLE authsweep_nostats LOGIN;
            GRANT SELECT, DELETE ON "Session" TO authsweep_nostats;
            GRANT SELECT, INSERT ON "AuditLog" TO authsweep_nostats;
            GRANT SELECT, INSERT, UPDATE ON authsweep_jobs TO authsweep_nostats;
            """)
        try database.insertSessions(2_000, prefix: "hidden-", expiringIn: -60)
        try waitForStandby()
        try onStandby.execute("SELECT pg_wal_replay_pause()")
        defer { try? onStandby.execute("SELECT pg_wal_replay_resume()") }
        let limited = TestDatabase(
            name: "postgres", connectionString: primary.connectionString.replacingOccurrences(of: "user=postgres", with: "user=authsweep_nostats"))
        let test = jobs(boundMilliseconds: 300)
        let unseeing = TestJobs(limited) {
            $0 = test.configuration
            $0.databaseURL = limited.connectionString
        }
        let outcome = try unseeing.cleanupSessions(CleanupOptions(timeBudget: .seconds(20)))
        #expect(outcome.deletedCount == 2_000 && !outcome.hasMore, "nothing waited for")
        let warnings = unseeing.logs.entries.filter { $0.message.description.contains("cleanup.max_replica_lag_ms is not applied") }
        #expect(warnings.count == 1, "one warning per pass: \(unseeing.logs.entries.map(\.message))")

        let check = try authsweep(["check"], database: limited, environment: ["CRON_SECRET": String(repeating: "s", count: 32)])
        #expect(
            check.stdout.contains(
                "WARNING the role may not see the standbys' replay, so cleanup.max_replica_lag_ms (1000 ms) is ignored (1 streaming standby now)"),
            "\(check.stdout)")
        #expect(check.stdout.contains("GRANT pg_read_all_stats TO the role (or pg_monitor)"), "\(check.stdout)")
        let superuserCheck = try authsweep(["check"], database: database, environment: ["CRON_SECRET": String(repeating: "s", count: 32)])
        #expect(
            superuserCheck.stdout.contains(
                "a cleanup waits while a standby's replay lags more than cleanup.max_replica_lag_ms (1000 ms; 1 streaming standby now)"),
            "\(superuserCheck.stdout)")
    }
}
