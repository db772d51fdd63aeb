internal import CLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension FastCGIServer {
    /// Most idle kept-alive connections one responder holds; beyond it the
    /// longest idle one is closed.
    static let keptConnectionLimit = 32

    /// One responder thread: waits on the listeners and on the web-server
    /// connections it keeps alive (FCGI_KEEP_CONN) at the same time, so that
    /// idle kept connections never stop it from taking new ones; serves one
    /// request at a time.
    func responderLoop(slot: Int, handler: any FastCGIHandler, events: ResponderEvents, deadlines: ReadDeadlines) {
        var kept: [KeptConnection] = []
        var spare: [ResponderConnection] = []
        let idleLimit = Duration.seconds(readTimeoutSeconds)

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
                kept.append(KeptConnection(connection: connection, socket: keptSocket, closeAtOnce: closeAtOnce, idleSince: .now))
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
            let timeout =
                kept.first.map { entry -> Int32 in
                    let left = idleLimit - entry.idleSince.duration(to: .now)
                    return left <= .zero ? 0 : Int32(left / .milliseconds(1)) + 1
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
            let now = ContinuousClock.now
            while let oldest = kept.first, oldest.idleSince.duration(to: now) >= idleLimit {
                drop(kept.removeFirst())
            }
        }
        kept.forEach(drop)
    }
}

/// A web-server connection a responder keeps open for its next request.
private struct KeptConnection {
    let connection: ResponderConnection
    let socket: Int32
    /// Whether its listener's connections are closed at once.
    let closeAtOnce: Bool
    let idleSince: ContinuousClock.Instant
}
