internal import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One responder thread. It takes one event at a time from the shared
/// epoll set: accepts a connection, serves the next request of whichever
/// connection is ready, or expires deadlines. Connections are non-blocking,
/// each with a deadline for its request to arrive, its answer to be taken,
/// or its close to complete, so no peer holds a responder; and a connection
/// is read only when it holds no whole request already, so no peer makes
/// the worker buffer more than one request and one read ahead.
final class Responder {
    /// The longest a finished TCP connection waits for the peer to close
    /// first (see `PeerConnection.lingers`).
    static let lingerLimit = Duration.seconds(2)

    private let server: FastCGIServer
    private let handler: any FastCGIHandler
    private let libfcgi: LibFCGIResponder
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// How long a connection may take for each step (`serve.read_timeout_seconds`).
    private let stepLimit: Duration

    private var table: ConnectionTable { server.table }

    init(server: FastCGIServer, handler: any FastCGIHandler, libfcgi: LibFCGIResponder) {
        self.server = server
        self.handler = handler
        self.libfcgi = libfcgi
        stepLimit = .seconds(server.readTimeoutSeconds)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Serves events until the server has stopped and holds no connection.
    func run() {
        while true {
            switch table.events.waitOne() {
            case .done:
                return
            case .timer:
                expireDeadlines()
            case .listener(let index):
                accept(from: index)
            case .connection(let id):
                if let connection = table.hold(id) { work(on: connection) }
            case nil:
                continue
            }
        }
    }

    /// Closes the parked connections past their deadline.
    private func expireDeadlines() {
        report(table.sweep())
    }

    private func accept(from index: Int) {
        guard table.beginAccept() else { return }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // Non-blocking listener: the event may be stale.
        let socket = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                accept4(server.listeners[index].descriptor, $0, &length, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
            }
        }
        let failure = errno
        // Another responder may accept the next connection meanwhile.
        table.events.rearm(listener: index)
        guard socket >= 0 else {
            table.endAccept()
            // EMFILE, ENOBUFS...: back off rather than spin on a listener that stays readable.
            if failure != EAGAIN && failure != EWOULDBLOCK && failure != ECONNABORTED && failure != EINTR { usleep(20_000) }
            return
        }
        if let webServers = server.webServers, !webServers.allows(address) {
            close(socket)
            table.endAccept()
            server.onRejection(.peerNotAllowed)
            return
        }
        let connection = table.insert(
            socket: socket, limits: server.limits, lingers: !server.closesAtOnce[index], deadline: .now + stepLimit)
        // The web server usually wrote its request right after connecting.
        receive(connection)
    }

    private func work(on connection: PeerConnection) {
        switch connection.phase {
        case .writing:
            send(connection)
        case .reading where connection.interest == .turn:
            serveNext(connection)
        case .reading, .closing:
            receive(connection)
        case .closed:
            break
        }
    }

    private func receive(_ connection: PeerConnection) {
        let count = recv(connection.socket, readBuffer.baseAddress, readBuffer.count, 0)
        if count > 0 {
            // While closing, whatever the peer still sends is dropped.
            guard connection.phase.isReading else { return park(connection, waitingFor: .read) }
            connection.framer.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
            serveNext(connection)
        } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            park(connection, waitingFor: .read)
        } else {
            drop(connection)
        }
    }

    private func serveNext(_ connection: PeerConnection) {
        switch connection.framer.next() {
        case .needMore:
            park(connection, waitingFor: .read)
        case .rejected(let rejection):
            drop(connection, rejection)
        case .request(let request):
            guard let answer = libfcgi.respond(to: request.records, with: handler) else { return drop(connection) }
            // Once stopping, a connection is closed after the request it began.
            connection.answer(answer, closeAfter: !request.keepConnection || table.isStopping)
            send(connection)
        }
    }

    private func send(_ connection: PeerConnection) {
        switch connection.flush() {
        case .sent where connection.closeAfterAnswer:
            guard connection.lingers, shutdown(connection.socket, Int32(SHUT_WR)) == 0 else { return drop(connection) }
            connection.phase = .closing(deadline: .now + Self.lingerLimit)
            park(connection, waitingFor: .read)
        case .sent:
            connection.phase = .reading(deadline: .now + stepLimit)
            // A next request already buffered waits for its turn, as any
            // other connection's does.
            park(connection, waitingFor: connection.framer.hasPendingBytes ? .turn : .read)
        case .blocked:
            if !connection.phase.isWriting { connection.phase = .writing(deadline: .now + stepLimit) }
            park(connection, waitingFor: .write)
        case .failed:
            drop(connection)
        }
    }

    private func park(_ connection: PeerConnection, waitingFor interest: ResponderEvents.Interest) {
        report(table.park(connection, waitingFor: interest))
    }

    private func drop(_ connection: PeerConnection, _ rejection: FastCGIRejection? = nil) {
        table.drop(connection)
        if let rejection { server.onRejection(rejection) }
    }

    private func report(_ rejections: [FastCGIRejection]) {
        rejections.forEach(server.onRejection)
    }
}
