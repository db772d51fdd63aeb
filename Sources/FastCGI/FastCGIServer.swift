internal import CFastCGI
internal import CLinux

// The fuzzer builds this target's files and Locking's as one module.
#if canImport(Locking)
import Locking
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A pool of responder threads sharing the listeners and every connection
/// (`ConnectionTable`): whichever responder is idle accepts the next
/// connection or serves the next request, on any connection. Each checks
/// every request before libfcgi parses it (`RequestFramer`), and uses
/// libfcgi on a private socket pair to turn the request into parameters and
/// the answer into records.
///
/// `run` blocks until SIGTERM or SIGINT (SIGHUP calls its `onReload` and
/// serves on); then the server stops accepting
/// (connections still queued stay for the next process on the same
/// sockets), closes idle connections, lets each connection finish the
/// request it began (within `ConnectionTable.drainLimit` for what the peer
/// has still to send), and returns.
public final class FastCGIServer: Sendable {
    let listeners: [FastCGIListener]
    /// Per listener: whether a finished connection is closed at once (unix
    /// sockets) or half-closed first (TCP; see `PeerConnection.lingers`).
    let closesAtOnce: [Bool]
    private let threadCount: Int
    let readTimeoutSeconds: Int
    let limits: FastCGILimits
    /// The TCP peers allowed in (`FCGI_WEB_SERVER_ADDRS`), or nil for any.
    let webServers: WebServerAddresses?
    let onRejection: @Sendable (FastCGIRejection) -> Void
    let table: ConnectionTable
    /// Why a responder could not start, if one could not.
    private let startFailure = Locked<FastCGIError?>(nil)

    /// - Parameters:
    ///   - readTimeoutSeconds: the longest a connection may take to deliver
    ///     a whole request (or stay idle between kept-alive requests), and
    ///     to take an answer.
    ///   - limits: what one request may carry, and all unfinished ones
    ///     together; a connection beyond them is closed.
    ///   - webServers: the only TCP peers let in, if given.
    ///   - onRejection: told of every connection closed for breaking a rule;
    ///     called on responder threads.
    public init(
        listeners: [FastCGIListener],
        threads: Int,
        readTimeoutSeconds: Int = 10,
        limits: FastCGILimits = .default,
        webServers: WebServerAddresses? = nil,
        onRejection: @escaping @Sendable (FastCGIRejection) -> Void = { _ in }
    ) throws(FastCGIError) {
        precondition(!listeners.isEmpty, "a FastCGI server needs at least one listener")
        guard limits.unfinishedBytes >= limits.leastUnfinishedBytes else {
            throw .unusableLimits(
                "serve.max_unfinished_bytes (\(limits.unfinishedBytes)) must be at least \(limits.leastUnfinishedBytes): room for four of the largest requests serve.max_params_bytes allows"
            )
        }
        self.listeners = listeners
        closesAtOnce = listeners.map { Self.isUnixDomain($0.descriptor) }
        self.threadCount = max(1, threads)
        self.readTimeoutSeconds = max(1, readTimeoutSeconds)
        self.limits = limits
        self.webServers = webServers
        self.onRejection = onRejection
        table = ConnectionTable(events: try ResponderEvents(listeners: listeners.map(\.descriptor)), unfinishedBytes: limits.unfinishedBytes)
    }

    /// Serves until SIGTERM or SIGINT. `makeHandler` is called once on each
    /// responder thread with the thread's index; `onStart` after all threads
    /// run; `onReload` on each SIGHUP, on this thread while the responders
    /// go on serving; `onStop` when a stop signal came, before the requests
    /// in flight are finished.
    public func run(
        makeHandler: @escaping @Sendable (Int) -> any FastCGIHandler,
        onStart: () -> Void = {},
        onReload: () -> Void = {},
        onStop: () -> Void = {}
    ) throws(FastCGIError) {
        guard FCGX_Init() == 0 else { throw .library("FCGX_Init failed") }
        guard try LibFCGIResponder().fits(bytes: limits.requestBytes) else {
            throw .unusableLimits(
                "a request of \(limits.parameterBytes) bytes of parameters does not fit this host's socket buffers (net.core.wmem_max); lower serve.max_params_bytes or raise net.core.wmem_max"
            )
        }
        for listener in listeners {
            try prepare(listener)
        }
        signal(SIGPIPE, SIG_IGN)
        // Blocked here, these signals are blocked in every responder too
        // (threads inherit the mask), so only sigwait below receives them.
        var handledSignals = sigset_t()
        sigemptyset(&handledSignals)
        sigaddset(&handledSignals, SIGTERM)
        sigaddset(&handledSignals, SIGINT)
        sigaddset(&handledSignals, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &handledSignals, nil)

        var bodies: [@Sendable () -> Void] = []
        for index in 0..<threadCount {
            // Made on the responder thread that owns it; a failure there
            // (out of descriptors) is reported and stops the server.
            bodies.append { [self] in
                do throws(FastCGIError) {
                    let libfcgi = try LibFCGIResponder()
                    Responder(server: self, handler: makeHandler(index), libfcgi: libfcgi).run()
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
        while true {
            var received: Int32 = 0
            guard sigwait(&handledSignals, &received) == 0 else { continue }
            guard received == SIGHUP else { break }
            onReload()
        }
        onStop()
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

    /// Stops accepting; the responders leave once every connection has
    /// finished the request it began.
    public func stop() {
        table.beginStopping()
    }

    /// Non-blocking accept lets many threads poll one socket without one of
    /// them sleeping inside accept() after another took the connection.
    /// (Accepted sockets inherit neither O_NONBLOCK nor a listener's
    /// timeouts on Linux: accept4 makes each one non-blocking, and the
    /// responder loop keeps its deadlines.)
    private func prepare(_ listener: FastCGIListener) throws(FastCGIError) {
        let descriptor = listener.descriptor
        let flags = try systemCall("fcntl(F_GETFL)") { fcntl(descriptor, F_GETFL) }
        try systemCall("fcntl(F_SETFL)") { fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
    }
}
