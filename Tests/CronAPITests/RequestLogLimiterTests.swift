import CronAPI
import FastCGI
import Testing

@Suite("request lines limited per peer")
struct RequestLogLimiterTests {
    @Test("a peer's first ten lines a minute are logged; the rest are counted, and the count goes with its next line")
    func perPeerWindow() {
        let limiter = RequestLogLimiter()
        let start = ContinuousClock.now
        let first = (0..<25).map { limiter.admit("203.0.113.7", now: start + .milliseconds($0)) }
        #expect(first.filter(\.logged).count == 10)
        #expect(first.prefix(10).allSatisfy { $0.logged && $0.notLoggedBefore == 0 })
        #expect(limiter.admit("198.51.100.1", now: start + .seconds(1)).logged, "another peer has lines of its own")
        let next = limiter.admit("203.0.113.7", now: start + .seconds(61))
        #expect(next.logged && next.notLoggedBefore == 15)
        #expect(limiter.admit("203.0.113.7", now: start + .seconds(62)).notLoggedBefore == 0, "counted once")
    }

    @Test("invented addresses cannot grow the table: beyond 1,024 peers the rest share one window")
    func boundedPeers() {
        let limiter = RequestLogLimiter()
        let start = ContinuousClock.now
        for index in 0..<1_024 { _ = limiter.admit("peer-\(index)", now: start) }
        let beyond = (0..<50).map { limiter.admit("new-\($0)", now: start + .seconds(1)) }
        #expect(beyond.filter(\.logged).count == 10, "the newcomers share the last window")
        // A minute on, windows that have ended make room again.
        #expect(limiter.admit("later", now: start + .seconds(61)).logged)
    }
}
