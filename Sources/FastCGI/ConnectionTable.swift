import Synchronization

// The fuzzer builds this target's files and Locking's as one module.
#if canImport(Locking)
import Locking
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every web-server connection the worker holds, shared by all responders.
///
/// A connection is either held by the one responder working on it, or
/// parked: armed one-shot in the shared epoll set, waiting for its peer, and
/// taken by whichever responder gets its event. Holding and parking go
/// through this table's lock, which so hands a connection's state from one
/// responder to the next. Only parked connections are closed by others: by
/// the sweep past their deadline, to make room under the connection limit,
/// or when the unfinished requests of all connections together exceed the
/// process's budget (`FastCGILimits.unfinishedBytes`).
final class ConnectionTable: Sendable {
    private struct State {
        var entries: [UInt64: PeerConnection] = [:]
        var nextID: UInt64 = 1
        /// Buffered bytes of all connections, as counted when each was last parked.
        var bufferedBytes = 0
        /// Responders between a listener's event and the connection's insertion.
        var accepting = 0
        var stopping = false
        var drainDeadline = ContinuousClock.Instant.now
        var done = false
    }

    /// How often parked connections are checked against their deadlines.
    static let sweepInterval = Duration.milliseconds(250)
    /// After SIGTERM, how long a connection that has begun a request (or
    /// was accepted and has not sent it yet) may take to finish it.
    static let drainLimit = Duration.seconds(1)
    /// The budget share of one connection, from which the connection limit
    /// follows: 4,096 connections at the default 64 MiB.
    static let bytesPerConnection = 16 * 1024

    let events: ResponderEvents
    let connectionLimit: Int
    private let budget: Int
    private let state = Locked(State())
    private let stoppingFlag = Atomic<Bool>(false)

    init(events: ResponderEvents, unfinishedBytes: Int) {
        self.events = events
        budget = unfinishedBytes
        connectionLimit = max(64, unfinishedBytes / Self.bytesPerConnection)
    }

    var isStopping: Bool { stoppingFlag.load(ordering: .relaxed) }

    /// Before accepting from a listener: false once stopping, so that a
    /// connection still queued stays there for the next process.
    func beginAccept() -> Bool {
        state.withLock { state in
            guard !state.stopping else { return false }
            state.accepting += 1
            return true
        }
    }

    /// After `beginAccept`, when no connection came.
    func endAccept() {
        state.withLock { state in
            state.accepting -= 1
            finishIfDrained(&state)
        }
    }

    /// Takes in a connection just accepted (after `beginAccept`); the caller
    /// holds it. At the limit, the parked connection nearest its deadline
    /// makes room.
    func insert(socket: Int32, limits: FastCGILimits, lingers: Bool, deadline: ContinuousClock.Instant) -> PeerConnection {
        state.withLock { state in
            state.accepting -= 1
            if state.entries.count >= connectionLimit,
                let nearest = state.entries.values.filter({ !$0.isHeld }).min(by: { $0.phase.deadline < $1.phase.deadline })
            {
                remove(nearest, from: &state)
            }
            let connection = PeerConnection(id: state.nextID, socket: socket, limits: limits, lingers: lingers, deadline: deadline)
            state.nextID += 1
            if state.entries.isEmpty, !state.stopping {
                events.setTimer(first: Self.sweepInterval, interval: Self.sweepInterval)
            }
            state.entries[connection.id] = connection
            return connection
        }
    }

    /// The parked connection with this id, now held by the caller; nil if
    /// it was closed meanwhile (a stale event).
    func hold(_ id: UInt64) -> PeerConnection? {
        state.withLock { state in
            guard let connection = state.entries[id], !connection.isHeld else { return nil }
            connection.isHeld = true
            return connection
        }
    }

    /// Parks a held connection until its peer is ready for `interest`.
    /// Returns the rejections of connections closed to keep the budget.
    func park(_ connection: PeerConnection, waitingFor interest: ResponderEvents.Interest) -> [FastCGIRejection] {
        state.withLock { state in
            do throws(FastCGIError) {
                // Under the lock: no one closes the descriptor meanwhile.
                try events.arm(connection: connection.id, socket: connection.socket, interest: interest, adding: !connection.isRegistered)
            } catch {
                remove(connection, from: &state)
                return []
            }
            connection.isRegistered = true
            connection.interest = interest
            connection.isHeld = false
            count(connection, in: &state)
            var rejections: [FastCGIRejection] = []
            // The connections whose unfinished requests began first go first.
            while state.bufferedBytes > budget,
                let oldest = state.entries.values.filter({ !$0.isHeld && $0.countedBytes > 0 }).min(by: {
                    ($0.unfinishedSince ?? .now) < ($1.unfinishedSince ?? .now)
                })
            {
                remove(oldest, from: &state)
                rejections.append(.overBudget)
            }
            return rejections
        }
    }

    /// Closes a held connection.
    func drop(_ connection: PeerConnection) {
        state.withLock { state in remove(connection, from: &state) }
    }

    /// On the timer: closes the parked connections past their deadline (and,
    /// once stopping, the idle ones at once and the others at the drain
    /// limit). Returns the rejections of those that broke a deadline.
    func sweep() -> [FastCGIRejection] {
        state.withLock { state in
            let now = ContinuousClock.now
            var rejections: [FastCGIRejection] = []
            for connection in state.entries.values where !connection.isHeld {
                if state.stopping, connection.isIdle {
                    remove(connection, from: &state)
                    continue
                }
                let cutByStop = state.stopping && state.drainDeadline < connection.phase.deadline
                guard (cutByStop ? state.drainDeadline : connection.phase.deadline) <= now else { continue }
                if !cutByStop, let rejection = connection.timeoutRejection { rejections.append(rejection) }
                remove(connection, from: &state)
            }
            if state.entries.isEmpty, !state.stopping {
                events.setTimer(first: .zero, interval: nil)
            }
            finishIfDrained(&state)
            events.timerHandled()
            return rejections
        }
    }

    /// Stops accepting and lets the connections finish what they began;
    /// the responders are told to leave once none is left.
    func beginStopping() {
        state.withLock { state in
            guard !state.stopping else { return }
            state.stopping = true
            stoppingFlag.store(true, ordering: .relaxed)
            state.drainDeadline = .now + Self.drainLimit
            events.stopListening()
            events.setTimer(first: .zero, interval: .milliseconds(50))
            finishIfDrained(&state)
        }
    }

    /// Every connection in one line, for diagnostics (the live-path fuzzer
    /// prints it when a connection hangs): held, or parked waiting for what
    /// in which phase, and the bytes counted against the budget. A held
    /// connection's phase is its holder's, not read here.
    var summary: String {
        state.withLock { state in
            let connections = state.entries.values.sorted { $0.id < $1.id }.map { connection in
                let place = connection.isHeld ? "held" : "parked for \(connection.interest), \(connection.phase)"
                return "#\(connection.id) \(place), \(connection.countedBytes) bytes"
            }
            return "\(state.entries.count) connection(s), \(state.accepting) being accepted, stopping: \(state.stopping); "
                + connections.joined(separator: "; ")
        }
    }

    private func count(_ connection: PeerConnection, in state: inout State) {
        let bytes = connection.framer.bufferedBytes
        if bytes == 0 {
            connection.unfinishedSince = nil
        } else if connection.unfinishedSince == nil {
            connection.unfinishedSince = .now
        }
        state.bufferedBytes += bytes - connection.countedBytes
        connection.countedBytes = bytes
    }

    private func remove(_ connection: PeerConnection, from state: inout State) {
        guard state.entries.removeValue(forKey: connection.id) != nil else { return }
        close(connection.socket)
        connection.phase = .closed
        state.bufferedBytes -= connection.countedBytes
        connection.countedBytes = 0
        finishIfDrained(&state)
    }

    private func finishIfDrained(_ state: inout State) {
        guard state.stopping, state.entries.isEmpty, state.accepting == 0, !state.done else { return }
        state.done = true
        events.setTimer(first: .zero, interval: nil)
        events.signalDone()
    }
}
