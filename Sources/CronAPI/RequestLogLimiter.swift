import Locking

/// Limits the request lines each peer can put in the log, as the worker's
/// rejections are limited: a peer (the client address nginx passes, or one
/// shared key for peers on the socket that pass none) gets its first
/// `linesPerWindow` lines a minute; the others are counted, and the count
/// goes with the peer's next line that is logged. Every request is still
/// counted in the metrics. Peers are remembered up to `peerLimit` at once;
/// beyond it, those not yet remembered share one key, so that a flood of
/// invented addresses cannot grow the table.
public final class RequestLogLimiter: Sendable {
    struct Window {
        var started: ContinuousClock.Instant
        var logged: Int
        var notLogged: Int
    }

    static let window = Duration.seconds(60)
    static let linesPerWindow = 10
    static let peerLimit = 1_024
    /// The key of peers beyond `peerLimit`.
    static let otherPeers = "(other peers)"

    private let windows = Locked<[String: Window]>([:])

    public init() {}

    /// Whether the request line of `peer` is logged now; if so, how many
    /// of that peer's lines were not logged since its last one.
    public func admit(_ peer: String, now: ContinuousClock.Instant = .now) -> (logged: Bool, notLoggedBefore: Int) {
        windows.withLock { windows in
            var key = peer
            if windows[key] == nil, windows.count >= Self.peerLimit {
                windows = windows.filter { $0.value.started.duration(to: now) < Self.window || $0.value.notLogged > 0 }
                if windows.count >= Self.peerLimit { key = Self.otherPeers }
            }
            guard var entry = windows[key] else {
                windows[key] = Window(started: now, logged: 1, notLogged: 0)
                return (true, 0)
            }
            if entry.started.duration(to: now) >= Self.window {
                windows[key] = Window(started: now, logged: 1, notLogged: 0)
                return (true, entry.notLogged)
            }
            guard entry.logged < Self.linesPerWindow else {
                entry.notLogged += 1
                windows[key] = entry
                return (false, 0)
            }
            entry.logged += 1
            windows[key] = entry
            return (true, 0)
        }
    }
}
