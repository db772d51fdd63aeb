import Postgres
import TestSupport
import Testing

@testable import AuthSweep

@Suite("one cleanup of a kind at a time", .serialized)
final class AdvisoryLockTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("lock")
        try database.insertSessions(10, prefix: "old-", expiringIn: -60)
    }

    /// Holds the advisory lock of `kind` as another worker's run would.
    func holdLock(_ kind: CleanupKind) throws -> PGConnection {
        let holder = try database.connect()
        try holder.query("SELECT pg_advisory_lock(\(CleanupStore.lockNamespace)::int, \(kind.lockKey)::int)")
        return holder
    }

    @Test("a cleanup-sessions while another holds the lock fails at once with alreadyRunning and deletes nothing")
    func sessionsLocked() throws {
        let holder = try holdLock(.cleanupSessions)
        let test = TestJobs(database)
        let started = ContinuousClock.now
        let error = #expect(throws: JobError.self) {
            try test.cleanupSessions()
        }
        guard case .alreadyRunning(.cleanupSessions)? = error else {
            Issue.record("expected alreadyRunning, got \(String(describing: error))")
            return
        }
        #expect(started.duration(to: .now) < .seconds(2), "the second caller does not wait")
        #expect(try database.rowCount("Session") == 10)
        #expect(try database.rowCount("AuditLog") == 0)
        _ = holder
    }

    @Test("the lock of one kind does not block the other kind")
    func kindsAreIndependent() throws {
        let holder = try holdLock(.cleanupAuth)
        let test = TestJobs(database)
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 10)
        #expect(throws: JobError.self) {
            try test.cleanupAuth()
        }
        _ = holder
    }

    @Test("the lock is released after a run, so the next run on the same connection and on another starts")
    func releasedAfterRun() throws {
        let test = TestJobs(database)
        let session = test.session()
        _ = try test.jobs.cleanupSessions(on: session, options: CleanupOptions())
        _ = try test.jobs.cleanupSessions(on: session, options: CleanupOptions())
        _ = try test.cleanupSessions()
        #expect(try database.advisoryLocks() == 0)
    }

    @Test("the CLI exits 75 with one line on stderr while the same cleanup runs elsewhere")
    func cliExitCode() throws {
        let holder = try holdLock(.cleanupSessions)
        let result = try authsweep(["cleanup-sessions"], database: database)
        #expect(result.status == 75)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("already running"))
        #expect(result.stdout.isEmpty)
        let json = try authsweep(["cleanup-sessions", "--json"], database: database)
        #expect(json.status == 75)
        #expect(json.stdout == #"{"success":false,"error":"Cleanup already in progress"}"# + "\n")
        _ = holder
    }
}
