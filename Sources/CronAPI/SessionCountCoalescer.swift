import AuthSweep
import Locking

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Chooses the count query from how long each took on this table lately:
/// the faster one, with the other tried again every `probeInterval` counts
/// so that a change of state (a VACUUM, a wave of refreshes) is noticed.
/// The planner's own estimate cannot be used for this: it relies on the
/// all-visible share that the last VACUUM or ANALYZE recorded.
struct SessionCountPlanner: Sendable {
    static let probeInterval = 32
    /// Seconds per count: a moving average for the query in use, the
    /// latest sample for the other.
    private(set) var seconds: [SessionCountQuery: Double] = [:]
    private var sinceProbe = 0

    /// The query to run next.
    mutating func next() -> SessionCountQuery {
        if let untried = SessionCountQuery.allCases.first(where: { seconds[$0] == nil }) { return untried }
        let fastest = self.fastest
        sinceProbe += 1
        guard sinceProbe >= Self.probeInterval else { return fastest }
        sinceProbe = 0
        return fastest == .rangeCounts ? .onePass : .rangeCounts
    }

    /// Records how long `query` took.
    mutating func record(_ query: SessionCountQuery, seconds sample: Double) {
        if let average = seconds[query], query == fastest {
            seconds[query] = 0.75 * average + 0.25 * sample
        } else {
            seconds[query] = sample
        }
    }

    /// The query with the shortest recorded time (range counts until both are known).
    var fastest: SessionCountQuery {
        guard let range = seconds[.rangeCounts], let pass = seconds[.onePass] else { return .rangeCounts }
        return pass < range ? .onePass : .rangeCounts
    }
}

/// Shares counts among the stats requests of a worker's threads. A request
/// never gets a count that started before it arrived. One that arrives
/// while fewer than `maximumRunning` counts run starts its own; otherwise
/// it waits, and the first waiter to find a count finished starts the next
/// one, which answers every request waiting by then (a count that starts
/// beside another first pauses briefly for more to join it: see
/// `gatheringPause`). So a burst of
/// requests costs the database at most `maximumRunning` counts at a time
/// per worker (a flood of stats calls cannot pile up full scans), and
/// every answer is still exact as of a moment after its request arrived.
/// A shared count that failed is not passed on: each waiter then counts on
/// its own connection, so a broken link answers only its own request.
final class SessionCountCoalescer: Sendable {
    /// Two at once: the second starts at once beside the first (a database
    /// has more than one core), and the rest share the next.
    static let maximumRunning = 2

    private struct State {
        /// Counts started so far: the number of the latest.
        var started = 0
        var running = 0
        /// The number of a count that will start after a short gathering
        /// pause; requests arriving meanwhile are answered by it.
        var gathering: Int?
        /// The newest count (by number) that ended: its number and what it found.
        var newestEnded: (number: Int, counts: SessionCounts?)?
        var planner = SessionCountPlanner()
        /// Requests answered and counts run (see `tally`).
        var answered = 0
        var counted = 0
    }

    /// What a request does once it has the lock: take the counts of one
    /// that ended (nil: it failed), or start one.
    private enum Turn {
        case ended(SessionCounts?)
        case start(number: Int, query: SessionCountQuery, pause: Double)
    }

    private let state = ConditionLock(State())

    /// Counts with `count` (given the query to run), or waits for a count
    /// started after this call by another thread.
    func counts(_ count: (SessionCountQuery) throws(JobError) -> SessionCounts) throws(JobError) -> SessionCounts {
        // Only a count numbered after those already started began after
        // now (one still gathering has not started): fixed at the first look.
        var needed: Int?
        let turn = state.withLockWhenReady { (state: inout State) -> Turn? in
            let first = needed ?? state.gathering ?? state.started + 1
            needed = first
            if let ended = state.newestEnded, ended.number >= first {
                state.answered += 1
                return .ended(ended.counts)
            }
            // Start one unless one that began after this request runs already.
            guard state.started < first, state.running < Self.maximumRunning else { return nil }
            state.started += 1
            state.running += 1
            state.counted += 1
            state.answered += 1
            let query = state.planner.next()
            let pause = Self.gatheringPause(running: state.running, countSeconds: state.planner.seconds[query])
            if pause > 0 { state.gathering = state.started }
            return .start(number: state.started, query: query, pause: pause)
        }
        switch turn {
        case .ended(let counts):
            if let counts { return counts }
            return try countAlone(count)
        case .start(let number, let query, let pause):
            if pause > 0 {
                usleep(useconds_t(pause * 1_000_000))
                state.withLock { $0.gathering = nil }
            }
            let began = ContinuousClock.now
            var result: Result<SessionCounts, JobError>
            do throws(JobError) {
                result = .success(try count(query))
            } catch {
                result = .failure(error)
            }
            let elapsed = began.duration(to: .now)
            state.withLockBroadcasting { state in
                if case .success = result { state.planner.record(query, seconds: elapsed.seconds) }
                if number > state.newestEnded?.number ?? 0 { state.newestEnded = (number, try? result.get()) }
                state.running -= 1
            }
            return try result.get()
        }
    }

    /// How long a count that is about to start waits for more requests to
    /// join it. Alone it starts at once (one monitoring call is not delayed);
    /// beside a running count, where the database is busy anyway, it waits
    /// a twentieth of a count's time, 1 ms at most: long enough for the
    /// threads that the last count answered to come back with their next
    /// requests (on 100,000 sessions, 1.6 to 1.8 requests per count instead
    /// of 1.35 without the pause, 2 cores).
    static func gatheringPause(running: Int, countSeconds: Double?) -> Double {
        guard running > 1, let countSeconds else { return 0 }
        return min(0.001, countSeconds / 20)
    }

    /// After a shared count failed: this request's own count, with the
    /// query the planner prefers.
    private func countAlone(_ count: (SessionCountQuery) throws(JobError) -> SessionCounts) throws(JobError) -> SessionCounts {
        let query = state.withLock { state in
            state.counted += 1
            return state.planner.fastest
        }
        return try count(query)
    }

    /// Requests waiting now.
    var waiting: Int { state.waiting }

    /// (answered, counted), read together.
    var tally: (answered: Int, counted: Int) {
        state.withLock { ($0.answered, $0.counted) }
    }
}
