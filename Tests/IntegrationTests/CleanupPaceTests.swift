import AuthSweep
import Fixtures
import Foundation
import Locking
import Postgres
import TestSupport
import Testing

/// `cleanup.pace = gentle` against a database whose other backends are at
/// work, on a cluster of the suite's own (other suites' backends would look
/// like an application).
@Suite("the gentle pace yields to the application", .serialized)
final class GentlePaceTests {
    let scratch: ScratchDirectory
    let server: PostgresServer
    let database: TestDatabase

    init() throws {
        scratch = try ScratchDirectory("gentle")
        server = try PostgresServer(in: scratch.path)
        database = TestDatabase(name: "postgres", connectionString: server.connectionString)
        try database.resetSchema()
    }

    /// One gentle cleanup of `expired` sessions; the rows deleted so far, by time.
    private func gentleRun(_ expired: Int) throws -> (took: Duration, progress: [(at: ContinuousClock.Instant, deleted: Int)]) {
        try database.insertSessions(expired, prefix: "s-", expiringIn: -60)
        let test = TestJobs(database) {
            $0.cleanupPace = .gentle
            $0.batchSize = 500
            $0.deletionScan = .index
        }
        let progress = Locked<[(at: ContinuousClock.Instant, deleted: Int)]>([])
        let started = ContinuousClock.now
        let outcome = try test.jobs.cleanupSessions(
            on: test.session(), options: CleanupOptions(progress: { _, deleted in progress.withLock { $0.append((.now, deleted)) } }))
        #expect(outcome.deletedCount == expired && !outcome.hasMore)
        return (started.duration(to: .now), progress.withLock { $0 })
    }

    @Test("while another backend runs a statement the gentle cleanup slows down, and it speeds up again once that ends")
    func backsOffAndResumes() throws {
        let quiet = try gentleRun(40_000)

        let busy = try BusyBackend(database, seconds: 600)
        let slowed = try gentleRun(40_000)
        try busy.end()
        #expect(slowed.took > quiet.took * 2, "quiet \(quiet.took), with a busy backend \(slowed.took)")

        // Busy for about the first half of a run at the slowed pace.
        let half = slowed.took / 2
        let partly = try BusyBackend(database, seconds: Double(half / .milliseconds(1)) / 1000)
        let run = try gentleRun(40_000)
        let ended = try partly.waitForEnd()
        let during = run.progress.last { $0.at <= ended }?.deleted ?? 0
        let first = try #require(run.progress.first?.at)
        let last = try #require(run.progress.last?.at)
        try #require(during > 0 && during < 40_000 && last > ended, "the busy backend ended in the middle of the run")
        let rateDuring = Double(during) / Double(first.duration(to: ended) / .microseconds(1))
        let rateAfter = Double(40_000 - during) / Double(ended.duration(to: last) / .microseconds(1))
        print(
            "gentle pace: 40,000 rows quiet \(quiet.took), beside a busy backend \(slowed.took); rows/ms while busy \(Int(rateDuring * 1000)), after \(Int(rateAfter * 1000))"
        )
        #expect(rateAfter > rateDuring * 2, "rows per µs while busy \(rateDuring), after \(rateAfter)")
    }
}

/// A backend running `pg_sleep` on a connection of its own: to the
/// cleanup, an application at work.
final class BusyBackend: Sendable {
    private let ended = Locked<ContinuousClock.Instant?>(nil)
    private let database: TestDatabase
    private static let sleeping = "query LIKE 'SELECT pg_sleep(%' AND state = 'active'"

    init(_ database: TestDatabase, seconds: Double) throws {
        self.database = database
        let ended = ended
        let sleeper = Thread {
            let connection = try? database.connect()
            _ = try? connection?.query("SELECT pg_sleep(\(seconds)::float8)")
            ended.withLock { $0 = .now }
        }
        sleeper.start()
        try waitFor("the sleeping backend to be active", seconds: 10) {
            (try? database.integer(SQLQuery(unsafeSQL: "SELECT count(*) FROM pg_stat_activity WHERE \(Self.sleeping)"))) == 1
        }
    }

    /// Ends the statement now.
    func end() throws {
        _ = try database.integer(SQLQuery(unsafeSQL: "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE \(Self.sleeping)"))
        _ = try waitForEnd()
    }

    /// When the statement ended.
    func waitForEnd() throws -> ContinuousClock.Instant {
        try waitFor("the sleeping backend to end", seconds: 600) { ended.withLock { $0 != nil } }
        return try #require(ended.withLock { $0 })
    }
}
