import AuthSweep
import Locking
import Testing

@testable import CronAPI

#if canImport(Glibc)
import Glibc
#endif

@Suite("the stats count: the query chosen by time, concurrent requests sharing a count")
struct SessionCountingTests {
    @Test("both queries are tried, then the faster runs, and the other is tried again now and then")
    func plannerPicksTheFaster() {
        var planner = SessionCountPlanner()
        #expect(planner.next() == .rangeCounts)
        planner.record(.rangeCounts, seconds: 0.040)
        #expect(planner.next() == .onePass)
        planner.record(.onePass, seconds: 0.008)
        var runs: [SessionCountQuery] = []
        for _ in 0..<(2 * SessionCountPlanner.probeInterval) {
            let query = planner.next()
            runs.append(query)
            planner.record(query, seconds: query == .onePass ? 0.008 : 0.040)
        }
        #expect(runs.filter { $0 == .rangeCounts }.count == 2, "one probe of the slower query per interval")
        #expect(planner.fastest == .onePass)
    }

    @Test("a probe that finds the other query faster now (after a VACUUM) switches at once")
    func plannerFollowsAChangeOfState() {
        var planner = SessionCountPlanner()
        planner.record(.rangeCounts, seconds: 0.040)
        planner.record(.onePass, seconds: 0.008)
        var query = planner.next()
        while query != .rangeCounts { query = planner.next() }
        planner.record(.rangeCounts, seconds: 0.004)
        #expect(planner.fastest == .rangeCounts)
        #expect(planner.next() == .rangeCounts)
    }

    @Test("a count that starts beside another waits a twentieth of a count's time, at most 1 ms, for others to join; alone it starts at once")
    func gatheringPause() {
        #expect(SessionCountCoalescer.gatheringPause(running: 1, countSeconds: 0.010) == 0)
        #expect(SessionCountCoalescer.gatheringPause(running: 2, countSeconds: nil) == 0)
        #expect(SessionCountCoalescer.gatheringPause(running: 2, countSeconds: 0.010) == 0.0005)
        #expect(SessionCountCoalescer.gatheringPause(running: 2, countSeconds: 0.200) == 0.001)
    }

    /// A count that returns its own number (so an answer tells which count
    /// it came from), holds while `held` says so, and fails when `fails` says so.
    final class NumberedCounts: @unchecked Sendable {
        let counting = Locked(0)
        let held: Set<Int>
        let fails: Set<Int>
        let release = Gate()
        let running = Locked<Set<Int>>([])

        init(held: Set<Int>, fails: Set<Int> = []) {
            self.held = held
            self.fails = fails
        }

        func count(_: SessionCountQuery) throws(JobError) -> SessionCounts {
            let number = counting.withLock { value in
                value += 1
                return value
            }
            running.withLock { _ = $0.insert(number) }
            if held.contains(number) { release.wait() }
            running.withLock { _ = $0.remove(number) }
            if fails.contains(number) { throw JobError.schema("count \(number) failed") }
            return SessionCounts(active: number, expired: 0)
        }

        func waitUntilRunning(_ numbers: Set<Int>) {
            while running.withLock({ $0 }) != numbers { usleep(1_000) }
        }
    }

    /// Two requests, one after the other: counts 1 and 2, both held.
    func startTwoHeldCounts(_ coalescer: SessionCountCoalescer, _ counts: NumberedCounts) -> (OnThread, OnThread) {
        let first = OnThread { try? coalescer.counts(counts.count).active }
        counts.waitUntilRunning([1])
        let second = OnThread { try? coalescer.counts(counts.count).active }
        counts.waitUntilRunning([1, 2])
        return (first, second)
    }

    @Test("a second request starts its own count beside the first; later ones share the next, which starts after they arrived")
    func coalescing() throws {
        let coalescer = SessionCountCoalescer()
        let counts = NumberedCounts(held: [1, 2])
        let (first, second) = startTwoHeldCounts(coalescer, counts)
        // Three requests arrive while counts 1 and 2 run; neither may answer them.
        let late = (0..<3).map { _ in OnThread { try? coalescer.counts(counts.count).active } }
        while coalescer.waiting < 3 { usleep(1_000) }
        #expect(counts.counting.withLock { $0 } == 2, "no more than two counts at once")
        counts.release.open()
        #expect(first.result() == 1)
        #expect(second.result() == 2)
        #expect(late.map { $0.result() } == [3, 3, 3], "the three waiters share count 3")
        #expect(coalescer.tally.answered == 5 && coalescer.tally.counted == 3)
    }

    @Test("a shared count that failed is not passed on: each waiter counts on its own")
    func failureIsNotShared() throws {
        let coalescer = SessionCountCoalescer()
        let counts = NumberedCounts(held: [1, 2], fails: [3])
        let (first, second) = startTwoHeldCounts(coalescer, counts)
        let late = (0..<2).map { _ in OnThread { try? coalescer.counts(counts.count).active } }
        while coalescer.waiting < 2 { usleep(1_000) }
        counts.release.open()
        #expect(first.result() == 1 && second.result() == 2)
        // One waiter ran count 3 and got its error; the other counted alone (count 4).
        #expect(late.map { $0.result() }.sorted { ($0 ?? 0) < ($1 ?? 0) } == [nil, 4])
    }
}

/// A one-shot gate between threads.
final class Gate: @unchecked Sendable {
    private let isOpen = Locked(false)
    func open() { isOpen.withLock { $0 = true } }
    func wait() { while !isOpen.withLock({ $0 }) { usleep(500) } }
}

/// A body run on its own POSIX thread (the responders are threads too, and
/// the test blocks them, which the concurrency pool's few threads must not be).
final class OnThread: @unchecked Sendable {
    // @unchecked: `value` is written by the thread before it ends and read after the join.
    private var value: Int?
    private var thread = pthread_t()
    private let body: @Sendable () -> Int?

    init(_ body: @escaping @Sendable () -> Int?) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { context in
                let box = Unmanaged<OnThread>.fromOpaque(context!).takeRetainedValue()
                box.value = box.body()
                return nil
            }, context)
        precondition(status == 0, "pthread_create failed")
    }

    /// Waits for the thread and returns what the body returned.
    func result() -> Int? {
        pthread_join(thread, nil)
        return value
    }
}
