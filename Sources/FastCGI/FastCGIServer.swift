#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CFastCGI
internal import CLinux
import Synchronization

/// Answers one request at a time on the responder thread that made it.
///
/// Each responder thread gets its own handler, so a handler may own state
/// that is not thread-safe (a database connection).
public protocol FastCGIHandler: AnyObject {
    func handle(_ request: FastCGIRequest) -> FastCGIResponse
}

/// A pool of responder threads around `FCGX_Accept_r`, sharing the listeners.
///
/// `run` blocks until SIGTERM or SIGINT; then the threads stop accepting,
/// finish the request they hold, release their handlers, and `run` returns.
public final class FastCGIServer: Sendable {
    private let listeners: [FastCGIListener]
    /// Per listener: whether a finished connection is closed at once.
    /// libfcgi half-closes it and waits for the web server to close its
    /// end first, so that no unread byte turns the close into a TCP reset
    /// that could discard the response; a unix socket has no resets, and
    /// that wait put every responder to sleep once more per request.
    private let closesAtOnce: [Bool]
    private let threadCount: Int
    private let readTimeoutSeconds: Int
    private let stopping = Atomic<Bool>(false)
    /// Why a responder could not start, if one could not.
    private let startFailure = Mutex<FastCGIError?>(nil)
    private let wakeDescriptors: (read: Int32, write: Int32)

    /// - Parameters:
    ///   - readTimeoutSeconds: the longest a responder spends reading one
    ///     request (and waiting for a kept connection's next one), and the
    ///     longest one write may block, so that no peer, silent or slow, can
    ///     hold a responder.
    public init(listeners: [FastCGIListener], threads: Int, readTimeoutSeconds: Int = 10) throws(FastCGIError) {
        precondition(!listeners.isEmpty, "a FastCGI server needs at least one listener")
        self.listeners = listeners
        closesAtOnce = listeners.map { Self.isUnixDomain($0.descriptor) }
        self.threadCount = max(1, threads)
        self.readTimeoutSeconds = max(1, readTimeoutSeconds)
        var pipeDescriptors: [Int32] = [0, 0]
        try systemCall("pipe") { pipe(&pipeDescriptors) }
        pipeDescriptors.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
        wakeDescriptors = (pipeDescriptors[0], pipeDescriptors[1])
    }

    deinit {
        close(wakeDescriptors.read)
        close(wakeDescriptors.write)
    }

    /// Serves until SIGTERM or SIGINT. `makeHandler` is called once on each
    /// responder thread with the thread's index; `onStart` after all threads run.
    public func run(
        makeHandler: @escaping @Sendable (Int) -> any FastCGIHandler,
        onStart: () -> Void = {}
    ) throws(FastCGIError) {
        guard FCGX_Init() == 0 else { throw FastCGIError(operation: "FCGX_Init failed", code: 0) }
        for listener in listeners {
            try prepare(listener)
        }
        signal(SIGPIPE, SIG_IGN)
        // Blocked here, the stop signals are blocked in every responder too
        // (threads inherit the mask), so only sigwait below receives them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let deadlines = ReadDeadlines(slots: threadCount, limitSeconds: readTimeoutSeconds)
        let listenerDescriptors = listeners.map(\.descriptor)
        let stopDescriptor = wakeDescriptors.read
        var bodies: [@Sendable () -> Void] = [{ [self] in watchdogLoop(deadlines) }]
        for index in 0..<threadCount {
            // Made on the responder thread that owns it; a failure there
            // (out of descriptors) is reported and stops the server.
            bodies.append { [self] in
                do throws(FastCGIError) {
                    let events = try ResponderEvents(listeners: listenerDescriptors, stop: stopDescriptor)
                    responderLoop(slot: index, handler: makeHandler(index), events: events, deadlines: deadlines)
                } catch {
                    startFailure.withLock { $0 = $0 ?? error }
                    kill(getpid(), SIGTERM)
                }
            }
        }
        var threads: [pthread_t] = []
        for body in bodies {
            do {
                threads.append(try spawnThread(body))
            } catch {
                stop()
                threads.forEach { pthread_join($0, nil) }
                throw error
            }
        }
        onStart()
        var received: Int32 = 0
        while sigwait(&stopSignals, &received) != 0 {}
        stop()
        threads.forEach { pthread_join($0, nil) }
        if let failure = startFailure.withLock({ $0 }) { throw failure }
    }

    private static func isUnixDomain(_ descriptor: Int32) -> Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return status == 0 && Int32(address.ss_family) == AF_UNIX
    }

    /// Asks every responder to finish its current request and leave.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = write(wakeDescriptors.write, &byte, 1)
    }

    /// Non-blocking accept lets many threads poll one socket without one of
    /// them sleeping inside accept() after another took the connection; the
    /// receive/send timeouts are inherited by every accepted connection.
    private func prepare(_ listener: FastCGIListener) throws(FastCGIError) {
        let descriptor = listener.descriptor
        let flags = try systemCall("fcntl(F_GETFL)") { fcntl(descriptor, F_GETFL) }
        try systemCall("fcntl(F_SETFL)") { fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        try systemCall("setsockopt(SO_RCVTIMEO)") { setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size) }
        try systemCall("setsockopt(SO_SNDTIMEO)") { setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size) }
    }

    /// Most idle kept-alive connections one responder holds; beyond it the
    /// longest idle one is closed.
    private static let keptConnectionLimit = 32

    /// One responder thread: waits on the listeners and on the web-server
    /// connections it keeps alive (FCGI_KEEP_CONN) at the same time, so that
    /// idle kept connections never stop it from taking new ones; serves one
    /// request at a time.
    private func responderLoop(slot: Int, handler: any FastCGIHandler, events: ResponderEvents, deadlines: ReadDeadlines) {
        var kept: [KeptConnection] = []
        var spare: [ResponderConnection] = []
        let idleLimit = UInt64(readTimeoutSeconds) * 1_000_000_000

        /// Serves a request on `connection`; keeps it if the web server asked to.
        func serve(_ connection: ResponderConnection, socket: Int32, closeAtOnce: Bool) {
            connection.serve(socket: socket, closeAtOnce: closeAtOnce, with: handler)
            guard let keptSocket = connection.keptDescriptor else {
                spare.append(connection)
                return
            }
            if kept.count >= Self.keptConnectionLimit {
                drop(kept.removeFirst())
            }
            do {
                try events.watch(kept: keptSocket)
                kept.append(KeptConnection(connection: connection, socket: keptSocket, closeAtOnce: closeAtOnce, idleSince: monotonicNanoseconds()))
            } catch {
                connection.dropKeptConnection()
                spare.append(connection)
            }
        }

        func drop(_ entry: KeptConnection) {
            events.forget(kept: entry.socket)
            entry.connection.dropKeptConnection()
            spare.append(entry.connection)
        }

        while !stopping.load(ordering: .sequentiallyConsistent) {
            // Wake up when the longest idle kept connection is due to close.
            let timeout = kept.first.map { entry -> Int32 in
                let waited = monotonicNanoseconds() &- entry.idleSince
                return waited >= idleLimit ? 0 : Int32((idleLimit - waited) / 1_000_000) + 1
            } ?? -1
            let ready = events.wait(timeoutMilliseconds: timeout)
            if ready.contains(.stop) { break }

            for source in ready {
                switch source {
                case .kept(let socket):
                    // A next request on a kept connection, or its closing.
                    guard let index = kept.firstIndex(where: { $0.socket == socket }) else { continue }
                    let entry = kept.remove(at: index)
                    events.forget(kept: socket)
                    serve(entry.connection, socket: socket, closeAtOnce: entry.closeAtOnce)
                case .listener(let index):
                    // Non-blocking: another responder may have taken it first.
                    // (The accepted socket does not inherit O_NONBLOCK.)
                    let socket = accept4(listeners[index].descriptor, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
                    if socket >= 0 {
                        serve(spare.popLast() ?? ResponderConnection(slot: slot, deadlines: deadlines), socket: socket, closeAtOnce: closesAtOnce[index])
                    } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED && errno != EINTR {
                        // EMFILE, ENOBUFS...: back off rather than spin on a
                        // listener that stays readable.
                        usleep(20_000)
                    }
                case .stop:
                    break
                }
            }
            let now = monotonicNanoseconds()
            while let oldest = kept.first, now &- oldest.idleSince >= idleLimit {
                drop(kept.removeFirst())
            }
        }
        kept.forEach(drop)
    }

    /// Enforces the read deadlines until the server stops.
    private func watchdogLoop(_ deadlines: ReadDeadlines) {
        while !stopping.load(ordering: .sequentiallyConsistent) {
            usleep(200_000)
            deadlines.enforce()
        }
    }
}

/// A web-server connection a responder keeps open for its next request.
private struct KeptConnection {
    let connection: ResponderConnection
    let socket: Int32
    /// Whether its listener's connections are closed at once.
    let closeAtOnce: Bool
    let idleSince: UInt64
}

/// An `FCGX_Request` for one web-server connection at a time; it stays on
/// its responder thread and is freed with it.
private final class ResponderConnection {
    private let request: UnsafeMutablePointer<FCGX_Request>
    private let slot: Int
    private let deadlines: ReadDeadlines

    init(slot: Int, deadlines: ReadDeadlines) {
        self.slot = slot
        self.deadlines = deadlines
        request = .allocate(capacity: 1)
        // No listening socket: connections are accepted by the loop and
        // handed over in ipcFd, so libfcgi never accepts one by itself
        // (its retry after a bad request then fails with EBADF at once).
        FCGX_InitRequest(request, -1, 0)
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    /// The web-server connection kept open after the last request, if any.
    var keptDescriptor: Int32? {
        request.pointee.ipcFd >= 0 ? request.pointee.ipcFd : nil
    }

    func dropKeptConnection() {
        FCGX_Free(request, 1)
    }

    /// Reads one request from `socket` (accepted, or kept from the last
    /// request) within the read deadline, and answers it. libfcgi closes
    /// the socket unless the web server asked to keep it; `closeAtOnce`
    /// skips its wait for the web server to close first.
    func serve(socket: Int32, closeAtOnce: Bool, with handler: any FastCGIHandler) {
        request.pointee.ipcFd = socket
        // libfcgi closes a "detached" connection without its half-close wait.
        request.pointee.detached = closeAtOnce ? 1 : 0
        // FCGX_Accept_r first finishes the previous request and would close
        // ipcFd unless that request asked to keep it; the BEGIN_REQUEST
        // record read next sets keepConnection to what this peer asks.
        request.pointee.keepConnection = 1
        deadlines.begin(slot: slot, socket: socket)
        // Negative: the peer sent something that is not a request, went
        // away, or missed the deadline; libfcgi has closed the connection.
        guard FCGX_Accept_r(request) >= 0 else {
            deadlines.end(slot: slot)
            return
        }
        // fcgiapp.h: "DO NOT retain pointers to the envp array" — copied now.
        let parameters = FastCGIRequest(environment: request.pointee.envp)
        drainInput()
        deadlines.end(slot: slot)
        let response = handler.handle(parameters)
        let bytes = response.serialized
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                _ = FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out)
            }
        }
        FCGX_Finish_r(request)
    }

    /// Request bodies are never used, but they are read to the end so the
    /// web server is not left blocked writing them.
    private func drainInput() {
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let capacity = Int32(buffer.count)
        while buffer.withUnsafeMutableBufferPointer({ FCGX_GetStr($0.baseAddress, capacity, request.pointee.in) }) > 0 {}
    }
}

/// Starts a joinable POSIX thread running `body`.
private func spawnThread(_ body: @escaping @Sendable () -> Void) throws(FastCGIError) -> pthread_t {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, context)
    guard status == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw FastCGIError(operation: "pthread_create", code: status)
    }
    return thread
}
