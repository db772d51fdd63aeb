import AuthSweep
import Foundation
import InMemoryLogging
import Locking
import Logging
import Postgres
import TestSupport
import Testing

@Suite("cleanup-sessions and stats on PostgreSQL", .serialized)
final class CleanupSessionsTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("sessions")
    }

    @Test("stats counts expires > now as active and expires <= now as expired, total = active + expired")
    func statsCounts() throws {
        try database.insertSessions(42, prefix: "old-", expiringIn: -60)
        try database.insertSessions(108, prefix: "live-", expiringIn: 3600)
        let stats = try TestJobs(database).jobs.sessionStats(on: TestJobs(database).session())
        #expect(stats.active == 108)
        #expect(stats.expired == 42)
        #expect(stats.total == 150)
        #expect(try database.rowCount("Session") == 150, "stats changes nothing")
    }

    @Test("a session that expired a millisecond ago is deleted; one expiring in a minute stays")
    func boundaryIsExpired() throws {
        try database.execute(
            """
            INSERT INTO "Session" VALUES ('edge-past', 't1', 'u', (now() AT TIME ZONE 'UTC') - interval '1 millisecond');
            INSERT INTO "Session" VALUES ('edge-future', 't2', 'u', (now() AT TIME ZONE 'UTC') + interval '1 minute');
            """)
        let test = TestJobs(database)
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 1)
        #expect(try database.rowCount("Session", where: "id = 'edge-future'") == 1)
    }

    @Test("cleanup deletes exactly the expired sessions and records one SESSION_CLEANUP audit row")
    func deletesExpiredAndAudits() throws {
        try database.insertSessions(42, prefix: "old-", expiringIn: -60)
        try database.insertSessions(108, prefix: "live-", expiringIn: 3600)
        try database.execute(#"INSERT INTO "User" (id, name) VALUES ('bystander', 'Not touched')"#)
        let test = TestJobs(database)
        let before = Timestamp.now()
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 42)
        #expect(!outcome.hasMore)
        #expect(outcome.timestamp >= before)
        #expect(try database.rowCount("Session", where: "id LIKE 'old-%'") == 0)
        #expect(try database.rowCount("Session", where: "id LIKE 'live-%'") == 108)
        #expect(try database.rowCount("User") == 1)

        let audit = try database.connect().query(#"SELECT id, "userId", action, details->>'deletedCount' FROM "AuditLog""#)
        #expect(audit.rows.count == 1)
        #expect(audit.value(row: 0, column: 2) == "SESSION_CLEANUP")
        #expect(audit.value(row: 0, column: 3) == "42")
        #expect(audit.value(row: 0, column: 1) == nil)
        let id = try #require(audit.value(row: 0, column: 0))
        #expect(try #/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/#.wholeMatch(in: id) != nil)
    }

    @Test("a run with nothing to delete answers 0 and still records its audit row")
    func nothingToDelete() throws {
        try database.insertSessions(5, prefix: "live-", expiringIn: 3600)
        let test = TestJobs(database)
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 0)
        #expect(try database.rowCount("AuditLog", where: "action = 'SESSION_CLEANUP' AND details->>'deletedCount' = '0'") == 1)
    }

    @Test("a dry run counts the expired sessions, deletes nothing and writes no audit row")
    func dryRun() throws {
        try database.insertSessions(7, prefix: "old-", expiringIn: -60)
        try database.insertSessions(3, prefix: "live-", expiringIn: 3600)
        let test = TestJobs(database)
        let outcome = try test.cleanupSessions(CleanupOptions(dryRun: true))
        #expect(outcome.dryRun)
        #expect(outcome.deletedCount == 7)
        #expect(try database.rowCount("Session") == 10)
        #expect(try database.rowCount("AuditLog") == 0)
    }

    @Test("120,000 expired sessions go in batches, each committed on its own", arguments: [DeletionScan.index, .sweep])
    func batchesCommitOneByOne(scan: DeletionScan) throws {
        try database.insertSessions(120_000, prefix: "old-", expiringIn: -60)
        try database.insertSessions(1_000, prefix: "live-", expiringIn: 3600)
        let test = TestJobs(database) {
            $0.batchSize = 5_000
            $0.deletionScan = scan
        }
        let firstBatch = Locked<(deleted: Int, remaining: Int?)?>(nil)
        let batches = Locked(0)
        let databaseForObserver = database
        let outcome = try test.jobs.cleanupSessions(
            on: test.session(),
            options: CleanupOptions(progress: { _, deleted in
                let count = batches.withLock { count in
                    count += 1
                    return count
                }
                if count == 1 {
                    // Another connection already sees the first batch gone: it
                    // was its own committed transaction, not part of one big one.
                    let remaining = try? databaseForObserver.rowCount("Session", where: "id LIKE 'old-%'")
                    firstBatch.withLock { $0 = (deleted, remaining) }
                }
            }))
        #expect(outcome.deletedCount == 120_000)
        #expect(test.scanUsed == scan.rawValue)
        let first = try #require(firstBatch.withLock { $0 })
        #expect(first.remaining == 120_000 - first.deleted)
        switch scan {
        case .index:
            #expect(first.deleted == 5_000)
            #expect(batches.withLock { $0 } >= 24)
        default:
            // A sweep range holds about a batch: never all, never far more.
            #expect(first.deleted > 0 && first.deleted <= 10_000)
            #expect(batches.withLock { $0 } >= 12)
        }
        #expect(try database.rowCount("Session") == 1_000)
    }

    @Test("a time budget stops the run between batches with hasMore; the next run finishes the job", arguments: [DeletionScan.index, .sweep])
    func timeBudget(scan: DeletionScan) throws {
        try database.insertSessions(30_000, prefix: "old-", expiringIn: -60)
        let test = TestJobs(database) {
            $0.batchSize = 100
            $0.deletionScan = scan
        }
        let first = try test.cleanupSessions(CleanupOptions(timeBudget: .milliseconds(50)))
        #expect(first.hasMore)
        #expect(first.deletedCount > 0 && first.deletedCount < 30_000)
        if scan == .index {
            #expect(first.deletedCount % 100 == 0, "the run stops between batches")
        }
        #expect(try database.rowCount("Session") == 30_000 - first.deletedCount)
        let second = try test.cleanupSessions()
        #expect(!second.hasMore)
        #expect(first.deletedCount + second.deletedCount == 30_000)
        #expect(try database.rowCount("AuditLog", where: "details->>'hasMore' = 'true'") == 1)
    }

    @Test(
        "a session the application holds locked is skipped: the rest is deleted, the run answers hasMore, and the next run deletes it",
        arguments: [DeletionScan.index, .sweep])
    func lockedRowsSkipped(scan: DeletionScan) throws {
        try database.insertSessions(300, prefix: "old-", expiringIn: -60)
        let application = try database.connect()
        try application.query("BEGIN")
        try application.query(#"SELECT 1 FROM "Session" WHERE id = 'old-7' FOR UPDATE"#)
        let test = TestJobs(database) {
            $0.deletionScan = scan
            $0.lockTimeoutMilliseconds = 200
        }
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 299)
        #expect(outcome.hasMore, "the locked row is still there")
        #expect(try database.rowCount("Session") == 1)
        #expect(test.logs.entries.contains { "\($0.message)".contains("held locked by another transaction is left for the next run") })
        try application.query("COMMIT")
        let next = try test.cleanupSessions()
        #expect(next.deletedCount == 1)
        #expect(!next.hasMore)
    }

    @Test(
        "rows the application holds locked are found without waiting: 100 of 100,000 are left, exactly those, and the run answers hasMore",
        arguments: [DeletionScan.index, .sweep])
    func manyLockedRows(scan: DeletionScan) throws {
        try database.insertSessions(100_000, prefix: "old-", expiringIn: -60)
        try database.execute(#"ANALYZE "Session""#)
        // Held the way an application holds a session: by a transaction
        // that locked the rows (and one that is updating one of them).
        let application = try database.connect()
        try application.query("BEGIN")
        try application.query(#"SELECT 1 FROM "Session" WHERE id IN (SELECT 'old-' || n * 997 FROM generate_series(1, 99) n) FOR UPDATE"#)
        let updater = try database.connect()
        try updater.query("BEGIN")
        try updater.query(#"UPDATE "Session" SET "userId" = 'user-2' WHERE id = 'old-5'"#)
        // A wait of lock_timeout for any of them would show: 10 s each.
        let test = TestJobs(database) {
            $0.deletionScan = scan
            $0.lockTimeoutMilliseconds = 10_000
        }
        let started = ContinuousClock.now
        let outcome = try test.cleanupSessions()
        #expect(started.duration(to: .now) < .seconds(10), "no lock_timeout was waited")
        #expect(outcome.deletedCount == 99_900)
        #expect(outcome.hasMore, "the held rows are still there")
        let left = try database.connect().query(#"SELECT id FROM "Session" ORDER BY id"#).rows.compactMap { $0.first ?? nil }
        #expect(Set(left) == Set((1...99).map { "old-\($0 * 997)" } + ["old-5"]), "exactly the held rows are left")
        #expect(test.logs.entries.contains { "\($0.message)".contains("held locked by another transaction is left for the next run") })
        try application.query("COMMIT")
        try updater.query("COMMIT")
        let next = try test.cleanupSessions()
        #expect(next.deletedCount == 100)
        #expect(!next.hasMore)
    }

    @Test("by default a cleanup walks the table as PostgreSQL's planner would: an index for a few rows among many, a sweep for most of a table")
    func scanFollowsThePlanner() throws {
        try database.insertSessions(60_000, prefix: "live-", expiringIn: 86_400)
        try database.insertSessions(50, prefix: "old-", expiringIn: -60)
        try database.execute(#"ANALYZE "Session""#)
        let few = TestJobs(database)
        #expect(try few.cleanupSessions().deletedCount == 50)
        #expect(few.scanUsed == "index")

        try database.execute(#"UPDATE "Session" SET expires = (now() AT TIME ZONE 'UTC') - interval '1 minute' WHERE id NOT LIKE 'live-1%'"#)
        try database.execute(#"VACUUM ANALYZE "Session""#)
        let expired = try database.rowCount("Session", where: "id NOT LIKE 'live-1%'")
        let most = TestJobs(database)
        #expect(try most.cleanupSessions().deletedCount == expired)
        #expect(most.scanUsed == "sweep")
        #expect(try database.rowCount("Session", where: "id NOT LIKE 'live-1%'") == 0)
        #expect(try database.rowCount("Session") == 60_000 - expired)
    }

    @Test("a table with child tables, whose rows a sweep of its pages would miss, is cleaned by index batches")
    func childTablesAreNotSwept() throws {
        try database.execute(#"CREATE TABLE "SessionArchive" () INHERITS ("Session")"#)
        try database.insertSessions(100, prefix: "old-", expiringIn: -60)
        try database.execute(
            #"""
            INSERT INTO "SessionArchive" (id, "sessionToken", "userId", expires)
            SELECT 'archived-' || n, md5('archived-' || n), 'u', (now() AT TIME ZONE 'UTC') - interval '1 hour'
            FROM generate_series(1, 5000) n
            """#)
        try database.insertSessions(10, prefix: "live-", expiringIn: 3600)
        let test = TestJobs(database) { $0.deletionScan = .sweep }
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 5_100)
        #expect(try database.rowCount("Session") == 10)
        #expect(test.scanUsed == "index")
    }

    @Test("a partitioned session table is cleaned by index batches")
    func partitionedTable() throws {
        try database.execute(
            #"""
            CREATE TABLE "PartitionedSession" (id text NOT NULL, "sessionToken" text NOT NULL, "userId" text NOT NULL,
                                               expires timestamp(3) NOT NULL) PARTITION BY RANGE (expires);
            CREATE TABLE "PartitionedSessionPast" PARTITION OF "PartitionedSession" FOR VALUES FROM (MINVALUE) TO ('2026-01-01');
            CREATE TABLE "PartitionedSessionLater" PARTITION OF "PartitionedSession" FOR VALUES FROM ('2026-01-01') TO (MAXVALUE);
            CREATE INDEX ON "PartitionedSession" (expires);
            INSERT INTO "PartitionedSession"
            SELECT 'p-' || n, md5('p-' || n), 'u',
                   CASE WHEN n % 3 = 0 THEN timestamp '2025-06-01' ELSE (now() AT TIME ZONE 'UTC') + make_interval(mins => n % 200 - 100) END
            FROM generate_series(1, 3000) n;
            """#)
        let expired = try database.rowCount("PartitionedSession", where: "expires <= (now() AT TIME ZONE 'UTC')")
        let test = TestJobs(database) {
            $0.tables.session = "PartitionedSession"
            $0.batchSize = 200
        }
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == expired)
        #expect(test.scanUsed == "index")
        #expect(try database.rowCount("PartitionedSession", where: "expires <= (now() AT TIME ZONE 'UTC')") == 0)
        #expect(try database.rowCount("PartitionedSession") == 3_000 - expired)
    }

    @Test("a sweep also deletes expired rows written to pages the table grew by while it ran")
    func sweepReachesNewPages() throws {
        try database.insertSessions(20_000, prefix: "old-", expiringIn: -60)
        let test = TestJobs(database) {
            $0.batchSize = 1_000
            $0.deletionScan = .sweep
        }
        let inserted = Locked(false)
        let databaseForWriter = database
        let outcome = try test.jobs.cleanupSessions(
            on: test.session(),
            options: CleanupOptions(progress: { _, _ in
                guard !inserted.withLock({ $0 }) else { return }
                // Deleted space is not reused before a VACUUM: these rows go to new pages at the end.
                try? databaseForWriter.insertSessions(5_000, prefix: "late-", expiringIn: -60)
                inserted.withLock { $0 = true }
            }))
        #expect(inserted.withLock { $0 })
        #expect(outcome.deletedCount == 25_000)
        #expect(try database.rowCount("Session") == 0)
    }

    @Test("a failed run records SESSION_CLEANUP_ERROR without database text, and the error is a database error")
    func failedRunIsAudited() throws {
        try database.insertSessions(10, prefix: "old-", expiringIn: -60)
        try database.execute(
            """
            CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'secret internal detail'; END $$;
            CREATE TRIGGER refuse_delete BEFORE DELETE ON "Session" FOR EACH ROW EXECUTE FUNCTION refuse_delete();
            """)
        let test = TestJobs(database)
        let error = #expect(throws: JobError.self) {
            try test.cleanupSessions()
        }
        guard case .database(let failure)? = error else {
            Issue.record("expected a database error, got \(String(describing: error))")
            return
        }
        #expect(failure.sqlState == "P0001")
        #expect(!failure.description.contains("secret internal detail"))
        let audit = try database.connect().query(#"SELECT action, details::text FROM "AuditLog""#)
        #expect(audit.rows.count == 1)
        #expect(audit.value(row: 0, column: 0) == "SESSION_CLEANUP_ERROR")
        #expect(audit.value(row: 0, column: 1)?.contains("secret internal detail") == false)
        #expect(try database.rowCount("Session") == 10, "nothing was deleted")
        #expect(
            test.logs.entries.contains { $0.level == .error && "\($0.metadata["error"] ?? "")".contains("secret internal detail") },
            "the detail goes to the log")
    }

    @Test("the audit row's createdAt is UTC")
    func auditTimeIsUTC() throws {
        try database.execute("ALTER DATABASE \(database.name) SET timezone = 'Asia/Tokyo'")
        defer { try? database.execute("ALTER DATABASE \(database.name) RESET timezone") }
        let test = TestJobs(database)
        _ = try test.cleanupSessions()
        let skew = try database.integer(#"SELECT abs(extract(epoch FROM ("createdAt" - (now() AT TIME ZONE 'UTC'))))::int FROM "AuditLog""#)
        #expect(skew < 60)
    }
}
