import AuthSweep
import Locking

/// This worker's last health answer, reused while it is younger than a
/// second: a flood of anonymous health checks costs at most one database
/// round trip per second per worker (and per thread that finds it stale at
/// the same moment), however many arrive.
public final class HealthCache: Sendable {
    private struct Answer {
        let checkedAt: ContinuousClock.Instant
        let databaseReachable: Bool
    }

    private let last = Locked<Answer?>(nil)
    private let maximumAge: Duration

    public init(maximumAge: Duration = .seconds(1)) {
        self.maximumAge = maximumAge
    }

    /// The cached answer if fresh, else `check()`'s, which is kept.
    /// `changed` is true when the answer differs from the previous one.
    func databaseReachable(check: () -> Bool) -> (reachable: Bool, changed: Bool) {
        let started = ContinuousClock.now
        if let answer = last.withLock({ $0 }), answer.checkedAt.duration(to: started) < maximumAge {
            return (answer.databaseReachable, false)
        }
        let reachable = check()
        // Stamped with the time the check started: never older than it says.
        let previous = last.withLock { last in
            defer { last = Answer(checkedAt: started, databaseReachable: reachable) }
            return last?.databaseReachable
        }
        return (reachable, previous.map { $0 != reachable } ?? false)
    }
}
