#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CFastCGI
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
    private let threadCount: Int
    private let readTimeoutSeconds: Int
    private let stopping = Atomic<Bool>(false)
    private let wakeDescriptors: (read: Int32, write: Int32)

    /// - Parameters:
    ///   - readTimeoutSeconds: how long a web-server connection may stay
    ///     silent while a request is being read or written before the
    ///     responder gives it up, so a stalled peer cannot hold a thread.
    public init(listeners: [FastCGIListener], threads: Int, readTimeoutSeconds: Int = 10) throws(FastCGIError) {
        precondition(!listeners.isEmpty, "a FastCGI server needs at least one listener")
        self.listeners = listeners
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

        var threads: [pthread_t] = []
        for index in 0..<threadCount {
            do {
                threads.append(try spawnThread { [self] in
                    responderLoop(handler: makeHandler(index))
                })
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
    }

    /// Asks every responder to finish its current request and leave.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        FCGX_ShutdownPending()
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

    private func responderLoop(handler: any FastCGIHandler) {
        let connection = FastCGIConnection(listener: listeners[0].descriptor)
        var pollSet = listeners.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
        pollSet.append(pollfd(fd: wakeDescriptors.read, events: Int16(POLLIN), revents: 0))
        while !stopping.load(ordering: .sequentiallyConsistent) {
            // A kept-alive web-server connection is read directly; otherwise
            // wait until a listener has a connection to accept.
            if let kept = connection.keptDescriptor {
                var keptSet = [pollfd(fd: kept, events: Int16(POLLIN), revents: 0), pollSet[pollSet.count - 1]]
                guard poll(&keptSet, 2, Int32(readTimeoutSeconds * 1000)) > 0, keptSet[1].revents == 0 else {
                    connection.dropKeptConnection()
                    continue
                }
                connection.serveNext(with: handler)
                continue
            }
            for index in pollSet.indices { pollSet[index].revents = 0 }
            guard poll(&pollSet, nfds_t(pollSet.count), -1) > 0 else { continue }
            if pollSet[pollSet.count - 1].revents != 0 { break }
            for index in listeners.indices where pollSet[index].revents != 0 {
                connection.serveNext(on: listeners[index].descriptor, with: handler)
            }
        }
    }
}

/// One responder thread's `FCGX_Request`: it stays on that thread and is
/// freed with it.
private final class FastCGIConnection {
    private let request: UnsafeMutablePointer<FCGX_Request>

    init(listener: Int32) {
        request = .allocate(capacity: 1)
        FCGX_InitRequest(request, listener, 0)
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

    /// Accepts one request on `listener` (if another thread did not take
    /// it first) and answers it.
    func serveNext(on listener: Int32, with handler: any FastCGIHandler) {
        request.pointee.listen_sock = listener
        serveNext(with: handler)
    }

    func serveNext(with handler: any FastCGIHandler) {
        let status = FCGX_Accept_r(request)
        guard status >= 0 else {
            // A connection that sent a malformed request or went away is
            // dropped by libfcgi, which then retries and ends with EAGAIN
            // (another responder took the next one). Anything else is accept
            // failing (EMFILE, ENOBUFS): back off rather than spin on a
            // listener that stays readable.
            if status != -EAGAIN && status != -EWOULDBLOCK { usleep(20_000) }
            return
        }
        let parameters = copyParameters()
        drainInput()
        let response = handler.handle(FastCGIRequest(parameters: parameters))
        let bytes = response.serialized
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                _ = FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out)
            }
        }
        FCGX_Finish_r(request)
    }

    /// fcgiapp.h: "DO NOT retain pointers to the envp array" — copy it now.
    private func copyParameters() -> [(name: String, value: [UInt8])] {
        var parameters: [(name: String, value: [UInt8])] = []
        guard var entry = request.pointee.envp else { return parameters }
        while let pointer = entry.pointee {
            let bytes = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                parameters.append((String(decoding: bytes[..<equals], as: UTF8.self), Array(bytes[(equals + 1)...])))
            }
            entry += 1
        }
        return parameters
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
