import Testing

@testable import AuthSweep

@Suite("the gentle pace's pause and the replay lag estimate")
struct GentlePauseTests {
    @Test("a busy database doubles the pause up to 8 times the batch, a quiet one halves it down to once the batch")
    func busyAndQuiet() {
        var pause = GentlePause()
        let batch = (took: Duration.milliseconds(5), rows: 500)
        #expect(pause.next(after: batch, activeBackends: 0, lockWaits: 0) == .milliseconds(5))
        let busy = (1...5).map { _ in pause.next(after: batch, activeBackends: 2, lockWaits: 0) }
        #expect(busy == [10, 20, 40, 40, 40].map { Duration.milliseconds($0) })
        #expect(pause.next(after: batch, activeBackends: 0, lockWaits: 1) == .milliseconds(40), "a lock wait is busy too")
        let quiet = (1...4).map { _ in pause.next(after: batch, activeBackends: 0, lockWaits: 0) }
        #expect(quiet == [20, 10, 5, 5].map { Duration.milliseconds($0) })
    }

    @Test("statements slower per row than the run's best count as a busy database; batches of few rows are not measured")
    func slowdown() {
        var pause = GentlePause()
        _ = pause.next(after: (.milliseconds(5), 500), activeBackends: 0, lockWaits: 0)
        #expect(pause.next(after: (.milliseconds(7), 500), activeBackends: 0, lockWaits: 0) == .milliseconds(7), "1.4 times the best: quiet")
        #expect(pause.next(after: (.milliseconds(8), 500), activeBackends: 0, lockWaits: 0) == .milliseconds(16), "1.6 times the best: busy")
        #expect(pause.factor == 2)
        #expect(pause.next(after: (.milliseconds(5), 10), activeBackends: 0, lockWaits: 0) == .milliseconds(5), "10 rows: not measured, quiet")
    }

    @Test("the lag is the age of the oldest WAL not replayed, growing while the standby stands still; zero once it has replayed all")
    func replayLag() {
        let start = ContinuousClock.now
        var lag = ReplayLag()
        #expect(lag.lag(replayed: 100, reported: .milliseconds(30), now: start) == .milliseconds(30), "before any sample: PostgreSQL's own figure")
        lag.record(1_000, at: start)
        lag.record(2_000, at: start + .milliseconds(100))
        lag.record(1_500, at: start + .milliseconds(150))  // never backwards
        lag.record(3_000, at: start + .milliseconds(200))
        #expect(lag.lag(replayed: 500, reported: nil, now: start + .milliseconds(300)) == .milliseconds(300))
        #expect(lag.lag(replayed: 500, reported: .seconds(2), now: start + .milliseconds(300)) == .seconds(2))
        #expect(lag.lag(replayed: 1_000, reported: nil, now: start + .milliseconds(300)) == .milliseconds(200))
        #expect(lag.lag(replayed: 1_000, reported: nil, now: start + .milliseconds(900)) == .milliseconds(800), "a standby that stands still")
        #expect(lag.lag(replayed: 2_500, reported: nil, now: start + .milliseconds(900)) == .milliseconds(700))
        #expect(lag.lag(replayed: 3_000, reported: .seconds(5), now: start + .milliseconds(900)) == .zero)
    }
}
