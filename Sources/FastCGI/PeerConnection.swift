#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A web-server connection the worker accepted.
///
/// Used by one responder at a time: the one holding it in the
/// `ConnectionTable`, whose lock orders every hand-over (the table's own
/// fields, `isHeld` to `countedBytes`, change only under that lock).
final class PeerConnection: @unchecked Sendable {
    enum Phase {
        /// Waiting for (the rest of) a request.
        case reading(deadline: ContinuousClock.Instant)
        /// An answer is written as the peer takes it.
        case writing(deadline: ContinuousClock.Instant)
        /// Answered and half-closed; waiting for the peer to close.
        case closing(deadline: ContinuousClock.Instant)
        case closed

        var deadline: ContinuousClock.Instant {
            switch self {
            case .reading(let deadline), .writing(let deadline), .closing(let deadline): deadline
            case .closed: .now
            }
        }

        var isWriting: Bool {
            if case .writing = self { true } else { false }
        }

        var isReading: Bool {
            if case .reading = self { true } else { false }
        }
    }

    enum FlushResult { case sent, blocked, failed }

    let id: UInt64
    let socket: Int32
    var framer: RequestFramer
    var phase: Phase
    /// TCP only: after the last answer the worker half-closes and waits (at
    /// most `Responder.lingerLimit`) for the peer to close first, so
    /// that a byte it still sends cannot turn the close into a reset that
    /// discards the answer. A unix socket has no resets and is closed at once.
    let lingers: Bool
    /// Requests answered on this connection.
    private(set) var answered = 0
    private(set) var closeAfterAnswer = false
    private var pending: [UInt8] = []
    private var written = 0

    // The table's bookkeeping, changed only under its lock.
    var isHeld = true
    var isRegistered = false
    var interest = ResponderEvents.Interest.read
    var countedBytes = 0
    var unfinishedSince: ContinuousClock.Instant?

    init(id: UInt64, socket: Int32, limits: FastCGILimits, lingers: Bool, deadline: ContinuousClock.Instant) {
        self.id = id
        self.socket = socket
        framer = RequestFramer(limits: limits)
        phase = .reading(deadline: deadline)
        self.lingers = lingers
    }

    /// Kept open after an answer, with nothing of a next request: what a
    /// web server's keep-alive cache holds.
    var isIdle: Bool {
        phase.isReading && answered > 0 && !framer.hasPendingBytes
    }

    /// Why it is closed when its deadline passes, if for breaking a rule.
    var timeoutRejection: FastCGIRejection? {
        switch phase {
        case .reading:
            // An idle kept connection just closes; a request begun and not
            // finished in time is a slow or stuck peer, and one that holds
            // its next request while it takes no answers is not reading.
            guard framer.hasPendingBytes else { return nil }
            return interest == .turn ? .writeTimeout : .readTimeout
        case .writing: return .writeTimeout
        case .closing, .closed: return nil
        }
    }

    func answer(_ records: [UInt8], closeAfter: Bool) {
        pending = records
        written = 0
        closeAfterAnswer = closeAfter
        answered += 1
    }

    /// Writes as much of the answer as the socket takes now.
    func flush() -> FlushResult {
        while written < pending.count {
            let count = pending.withUnsafeBytes { bytes in
                send(socket, bytes.baseAddress! + written, bytes.count - written, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                written += count
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return .blocked
            } else {
                return .failed
            }
        }
        pending = []
        written = 0
        return .sent
    }
}
