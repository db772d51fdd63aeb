internal import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension FastCGIServer {
    /// Most connections one responder holds; beyond it the one that has
    /// waited longest for a request is closed.
    static let connectionLimit = 256
    /// The longest a finished TCP connection waits for the peer to close
    /// first (see `PeerConnection.lingers`).
    static let lingerLimit = Duration.seconds(2)

    /// One responder thread. It waits on the listeners and on every
    /// connection it accepted at once; connections are non-blocking, each
    /// with a deadline for its request to arrive, its answer to be taken,
    /// or its close to complete, so no peer holds the thread. Requests are
    /// answered one at a time, one per connection per turn.
    func responderLoop(handler: any FastCGIHandler, events: ResponderEvents, libfcgi: LibFCGIResponder) {
        var connections: [Int32: PeerConnection] = [:]
        // Connections with the bytes of a further request already read:
        // served on the next turn, after the others.
        var buffered: [PeerConnection] = []
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let limit = Duration.seconds(readTimeoutSeconds)
        defer {
            readBuffer.deallocate()
            connections.values.forEach { close($0.socket) }
        }

        func drop(_ connection: PeerConnection, _ rejection: FastCGIRejection? = nil) {
            if let rejection { onRejection(rejection) }
            close(connection.socket)
            connections[connection.socket] = nil
            connection.phase = .closed
        }

        func serveNext(_ connection: PeerConnection) {
            switch connection.framer.next() {
            case .needMore:
                return
            case .rejected(let rejection):
                drop(connection, rejection)
            case .request(let request):
                guard let answer = libfcgi.respond(to: request.records, with: handler) else { return drop(connection) }
                connection.answer(answer, closeAfter: !request.keepConnection)
                send(connection)
            }
        }

        func send(_ connection: PeerConnection) {
            switch connection.flush() {
            case .sent where connection.closeAfterAnswer:
                guard connection.lingers, shutdown(connection.socket, Int32(SHUT_WR)) == 0 else { return drop(connection) }
                if connection.phase.isWriting { events.change(connection: connection.socket, writable: false) }
                connection.phase = .closing(deadline: .now + Self.lingerLimit)
            case .sent:
                if connection.phase.isWriting { events.change(connection: connection.socket, writable: false) }
                connection.phase = .reading(deadline: .now + limit)
                if connection.framer.hasPendingBytes { buffered.append(connection) }
            case .blocked:
                if !connection.phase.isWriting {
                    events.change(connection: connection.socket, writable: true)
                    connection.phase = .writing(deadline: .now + limit)
                }
            case .failed:
                drop(connection)
            }
        }

        func receive(_ connection: PeerConnection) {
            let count = recv(connection.socket, readBuffer.baseAddress, readBuffer.count, 0)
            if count > 0 {
                // While closing, whatever the peer still sends is dropped.
                guard connection.phase.isReading else { return }
                connection.framer.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                serveNext(connection)
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                drop(connection)
            }
        }

        func accept(from index: Int) {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            // Non-blocking listener: another responder may have taken it first.
            let socket = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept4(listeners[index].descriptor, $0, &length, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
                }
            }
            guard socket >= 0 else {
                // EMFILE, ENOBUFS...: back off rather than spin on a listener that stays readable.
                if errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR { usleep(20_000) }
                return
            }
            if let webServers, !webServers.allows(address) {
                close(socket)
                onRejection(.peerNotAllowed)
                return
            }
            if connections.count >= Self.connectionLimit, let oldest = connections.values.min(by: { $0.phase.deadline < $1.phase.deadline }) {
                drop(oldest)
            }
            do throws(FastCGIError) {
                try events.watch(connection: socket)
            } catch {
                close(socket)
                return
            }
            let connection = PeerConnection(socket: socket, limits: limits, lingers: !closesAtOnce[index], deadline: .now + limit)
            connections[socket] = connection
            // The web server usually wrote its request right after connecting.
            receive(connection)
        }

        while !stopping.load(ordering: .sequentiallyConsistent) {
            let timeout: Int32
            if !buffered.isEmpty {
                timeout = 0
            } else if let nearest = connections.values.map(\.phase.deadline).min() {
                let left = ContinuousClock.now.duration(to: nearest)
                timeout = left <= .zero ? 0 : Int32(min(left, .seconds(3_600)) / .milliseconds(1)) + 1
            } else {
                timeout = -1
            }
            let ready = events.wait(timeoutMilliseconds: timeout)
            if ready.contains(.stop) { break }
            for source in ready {
                switch source {
                case .listener(let index):
                    accept(from: index)
                case .connection(let socket):
                    guard let connection = connections[socket] else { continue }
                    if connection.phase.isWriting { send(connection) } else { receive(connection) }
                case .stop:
                    break
                }
            }
            let turn = buffered
            buffered = []
            for connection in turn {
                if connection.phase.isReading { serveNext(connection) }
            }
            let now = ContinuousClock.now
            for connection in connections.values where connection.phase.deadline <= now {
                switch connection.phase {
                case .reading:
                    // An idle kept connection just closes; a request begun and
                    // not finished in time is a slow or stuck peer.
                    drop(connection, connection.framer.hasPendingBytes ? .readTimeout : nil)
                case .writing:
                    drop(connection, .writeTimeout)
                case .closing, .closed:
                    drop(connection)
                }
            }
        }
    }
}

/// A web-server connection a responder accepted.
final class PeerConnection {
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

    let socket: Int32
    var framer: RequestFramer
    var phase: Phase
    /// TCP only: after the last answer the worker half-closes and waits (at
    /// most `lingerLimit`) for the peer to close first, so that a byte it
    /// still sends cannot turn the close into a reset that discards the
    /// answer. A unix socket has no resets and is closed at once.
    let lingers: Bool
    private(set) var closeAfterAnswer = false
    private var pending: [UInt8] = []
    private var written = 0

    init(socket: Int32, limits: FastCGILimits, lingers: Bool, deadline: ContinuousClock.Instant) {
        self.socket = socket
        framer = RequestFramer(limits: limits)
        phase = .reading(deadline: deadline)
        self.lingers = lingers
    }

    func answer(_ records: [UInt8], closeAfter: Bool) {
        pending = records
        written = 0
        closeAfterAnswer = closeAfter
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
        pending.removeAll(keepingCapacity: true)
        written = 0
        return .sent
    }
}
