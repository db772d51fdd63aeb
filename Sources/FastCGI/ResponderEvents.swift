internal import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One responder thread's epoll set: the shared listeners, the stop pipe,
/// and the web-server connections this thread accepted.
///
/// The listeners are registered with `EPOLLEXCLUSIVE`, so a new connection
/// wakes one waiting responder rather than all of them (with `poll` every
/// responder woke, and all but one went back to sleep: a third of the CPU
/// under load went to those wake-ups).
final class ResponderEvents {
    enum Source: Equatable {
        case listener(Int)
        case stop
        case connection(Int32)
    }

    private let descriptor: Int32
    private var ready = [epoll_event](repeating: epoll_event(), count: 64)

    private static let stopTag = UInt64.max
    private static let connectionFlag: UInt64 = 1 << 32

    init(listeners: [Int32], stop: Int32) throws(FastCGIError) {
        descriptor = try systemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            for (index, listener) in listeners.enumerated() {
                try add(listener, tag: UInt64(index), events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
            }
            try add(stop, tag: Self.stopTag, events: EPOLLIN.rawValue)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    /// Watches a connection for bytes to read. (Closing its descriptor
    /// removes it from the set.)
    func watch(connection socket: Int32) throws(FastCGIError) {
        var event = Self.event(for: socket, writable: false)
        try systemCall("epoll_ctl") { epoll_ctl(descriptor, EPOLL_CTL_ADD, socket, &event) }
    }

    /// Waits on a connection for room to write (`writable`) or for bytes to read.
    func change(connection socket: Int32, writable: Bool) {
        var event = Self.event(for: socket, writable: writable)
        _ = epoll_ctl(descriptor, EPOLL_CTL_MOD, socket, &event)
    }

    private static func event(for socket: Int32, writable: Bool) -> epoll_event {
        var event = epoll_event()
        event.events = writable ? EPOLLOUT.rawValue : EPOLLIN.rawValue
        event.data.u64 = connectionFlag | UInt64(UInt32(bitPattern: socket))
        return event
    }

    /// Waits up to `timeoutMilliseconds` (-1: no limit) for sources to be ready.
    func wait(timeoutMilliseconds: Int32) -> [Source] {
        let count = ready.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(descriptor, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        guard count > 0 else { return [] }
        return ready[0..<Int(count)].map { event in
            let tag = event.data.u64
            if tag == Self.stopTag { return .stop }
            if tag & Self.connectionFlag != 0 { return .connection(Int32(bitPattern: UInt32(truncatingIfNeeded: tag))) }
            return .listener(Int(tag))
        }
    }

    private func add(_ socket: Int32, tag: UInt64, events: UInt32) throws(FastCGIError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        try systemCall("epoll_ctl") { epoll_ctl(descriptor, EPOLL_CTL_ADD, socket, &event) }
    }
}

@available(*, unavailable, message: "an epoll set belongs to one responder thread")
extension ResponderEvents: Sendable {}
