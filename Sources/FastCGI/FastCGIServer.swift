internal import CFastCGI
internal import CLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pool of responder threads around `FCGX_Accept_r`, sharing the listeners.
///
/// `run` blocks until SIGTERM or SIGINT; then the threads stop accepting,
/// finish the request they hold, release their handlers, and `run` returns.
public final class FastCGIServer: Sendable {
    let listeners: [FastCGIListener]
    /// Per listener: whether a finished connection is closed at once.
    /// libfcgi half-closes it and waits for the web server to close its
    /// end first, so that no unread byte turns the close into a TCP reset
    /// that could discard the response; a unix socket has no resets, and
    /// that wait put every responder to sleep once more per request.
    let closesAtOnce: [Bool]
    private let threadCount: Int
    let readTimeoutSeconds: Int
    let stopping = Atomic<Bool>(false)
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

    /// Enforces the read deadlines until the server stops.
    private func watchdogLoop(_ deadlines: ReadDeadlines) {
        while !stopping.load(ordering: .sequentiallyConsistent) {
            usleep(200_000)
            deadlines.enforce()
        }
    }
}
