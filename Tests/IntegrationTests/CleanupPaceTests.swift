import AuthSweep
import Fixtures
import Foundation
import InMemoryLogging
import Locking
import Logging
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

    /// One gentle cleanup of `expired` sessions: how long it took, and
    /// each pause it made (from its debug log), in order.
    private func gentleRun(_ expired: Int) throws -> (took: Duration, pauses: [Pause]) {
        try database.insertSessions(expired, prefix: "s-", expiringIn: -60)
        let test = TestJobs(database) {
            $0.cleanupPace = .gentle
            $0.batchSize = 500
            $0.deletionScan = .index
        }
        let started = ContinuousClock.now
        let outcome = try test.cleanupSessions()
        let took = started.duration(to: .now)
        #expect(outcome.deletedCount == expired && !outcome.hasMore)
        let pauses = test.logs.entries.filter { $0.message == "pausing" }.map { entry in
            let number = { (key: String) in entry.metadata[key].flatMap { Int("\($0)") } ?? -1 }
            return Pause(milliseconds: number("job.pause_ms"), factor: number("job.pause_factor"), activeBackends: number("job.active_backends"))
        }
        return (took, pauses)
    }

    struct Pause {
        let milliseconds: Int
        let factor: Int
        let activeBackends: Int
    }

    // Decisions, not speed, are asserted: on a shared machine the cleanup's
    // own slowdown (also a sign of load) varies with whatever else runs.
    @Test("while another backend runs a statement the gentle cleanup pauses 8 times each batch, and pauses less once that ends")
    func backsOffAndResumes() throws {
        let busy = try BusyBackend(database, seconds: 600)
        let slowed = try gentleRun(20_000)
        try busy.end()
        try #require(slowed.pauses.count >= 6, "\(slowed.pauses.count) pauses")
        #expect(slowed.pauses.allSatisfy { $0.activeBackends >= 1 }, "the busy backend seen before every batch")
        #expect(slowed.pauses.map(\.factor).prefix(3) == [2, 4, 8])
        #expect(slowed.pauses.dropFirst(3).allSatisfy { $0.factor == 8 }, "\(slowed.pauses.map(\.factor))")
        let paused = slowed.pauses.reduce(0) { $0 + $1.milliseconds }
        #expect(slowed.took >= .milliseconds(paused), "the pauses were slept: \(paused) ms in \(slowed.took)")

        // Busy for about the first half of the run.
        let partly = try BusyBackend(database, seconds: Double(slowed.took / .milliseconds(1)) / 2000)
        let run = try gentleRun(20_000)
        _ = try partly.waitForEnd()
        let firstQuiet = try #require(run.pauses.firstIndex { $0.activeBackends == 0 }, "the busy backend ended during the run")
        try #require(firstQuiet >= 3, "the busy backend was seen first: \(run.pauses.map(\.activeBackends))")
        #expect(run.pauses[..<firstQuiet].dropFirst(3).allSatisfy { $0.factor == 8 })
        let after = run.pauses[firstQuiet...]
        #expect(after.allSatisfy { $0.activeBackends == 0 }, "nothing else ran")
        #expect(after.contains { $0.factor < 8 }, "the pauses shrink again: \(after.map(\.factor))")
        print("gentle pace: 20,000 rows beside a busy backend in \(slowed.took) (\(paused) ms paused); pause factors once it ended: \(after.map(\.factor))")
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
