internal import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one epoll set every responder thread waits on: the listeners, the
/// sweep timer, the done pipe, and every web-server connection.
///
/// Listeners, the timer and connections are armed one-shot: an event goes
/// to one waiting responder, and the source stays silent until that
/// responder arms it again. So a connection belongs to no responder while
/// it waits for its peer, and whichever responder is idle takes its next
/// request. Each wait takes one event, so that a responder about to run a
/// long request never sits on events that others could serve.
final class ResponderEvents: Sendable {
    enum Source: Equatable {
        case listener(Int)
        case timer
        /// The server has stopped and holds no connection: responders leave.
        case done
        case connection(UInt64)
    }

    /// What a parked connection waits for.
    enum Interest {
        /// Bytes from the peer.
        case read
        /// Room to write the rest of an answer.
        case write
        /// A turn: the connection holds bytes of a next request already.
        /// Armed as writable, so that the turn comes at once when the peer
        /// takes answers, and not before it does.
        case turn
    }

    private let descriptor: Int32
    private let timerDescriptor: Int32
    private let doneDescriptors: (read: Int32, write: Int32)
    private let listeners: [Int32]

    private static let timerTag = UInt64.max
    private static let doneTag = UInt64.max - 1
    /// Connection ids are tagged with this bit; listener tags are indexes.
    private static let connectionFlag: UInt64 = 1 << 62

    init(listeners: [Int32]) throws(FastCGIError) {
        self.listeners = listeners
        descriptor = try systemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        var timer: Int32 = -1
        var pipeDescriptors: [Int32] = [-1, -1]
        do throws(FastCGIError) {
            timer = try systemCall("timerfd_create") {
                timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK) | Int32(TFD_CLOEXEC))
            }
            try systemCall("pipe2") { pipe2(&pipeDescriptors, Int32(O_CLOEXEC)) }
            for (index, listener) in listeners.enumerated() {
                try Self.control(descriptor, EPOLL_CTL_ADD, listener, tag: UInt64(index), events: Self.oneShot(EPOLLIN.rawValue))
            }
            try Self.control(descriptor, EPOLL_CTL_ADD, timer, tag: Self.timerTag, events: Self.oneShot(EPOLLIN.rawValue))
            // Level-triggered and never read: once written, every wait sees it.
            try Self.control(descriptor, EPOLL_CTL_ADD, pipeDescriptors[0], tag: Self.doneTag, events: EPOLLIN.rawValue)
        } catch {
            [timer, pipeDescriptors[0], pipeDescriptors[1], descriptor].filter { $0 >= 0 }.forEach { close($0) }
            throw error
        }
        timerDescriptor = timer
        doneDescriptors = (pipeDescriptors[0], pipeDescriptors[1])
    }

    deinit {
        close(descriptor)
        close(timerDescriptor)
        close(doneDescriptors.read)
        close(doneDescriptors.write)
    }

    /// Waits for the next event; nil when interrupted.
    func waitOne() -> Source? {
        var event = epoll_event()
        guard epoll_wait(descriptor, &event, 1, -1) == 1 else { return nil }
        let tag = event.data.u64
        switch tag {
        case Self.timerTag: return .timer
        case Self.doneTag: return .done
        case let tag where tag & Self.connectionFlag != 0: return .connection(tag & ~Self.connectionFlag)
        default: return .listener(Int(tag))
        }
    }

    /// Arms a listener for its next connection (after an accept). Fails
    /// harmlessly once `stopListening` removed it.
    func rearm(listener index: Int) {
        var event = epoll_event()
        event.events = Self.oneShot(EPOLLIN.rawValue)
        event.data.u64 = UInt64(index)
        _ = epoll_ctl(descriptor, EPOLL_CTL_MOD, listeners[index], &event)
    }

    /// No more connections are accepted; those waiting in the listeners'
    /// queues stay there for the next process on the same sockets.
    func stopListening() {
        for listener in listeners {
            _ = epoll_ctl(descriptor, EPOLL_CTL_DEL, listener, nil)
        }
    }

    /// Arms a connection for `interest`, adding it the first time. Called
    /// under the connection table's lock, so that its descriptor cannot be
    /// closed, and its number reused, meanwhile.
    func arm(connection id: UInt64, socket: Int32, interest: Interest, adding: Bool) throws(FastCGIError) {
        let events = interest == .read ? EPOLLIN.rawValue : EPOLLOUT.rawValue
        try Self.control(descriptor, adding ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, socket, tag: Self.connectionFlag | id, events: Self.oneShot(events))
    }

    /// Sets the sweep timer: every `interval` from `first` on, or off when
    /// `interval` is nil; and arms its one-shot event again.
    func setTimer(first: Duration, interval: Duration?) {
        func time(_ duration: Duration) -> timespec {
            let (seconds, attoseconds) = duration.components
            return timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        }
        var setting = itimerspec()
        if let interval {
            setting.it_value = time(max(first, .nanoseconds(1)))
            setting.it_interval = time(interval)
        }
        _ = timerfd_settime(timerDescriptor, 0, &setting, nil)
    }

    /// After a timer event: clears the expirations and arms its event again.
    func timerHandled() {
        var expirations: UInt64 = 0
        _ = read(timerDescriptor, &expirations, MemoryLayout<UInt64>.size)
        var event = epoll_event()
        event.events = Self.oneShot(EPOLLIN.rawValue)
        event.data.u64 = Self.timerTag
        _ = epoll_ctl(descriptor, EPOLL_CTL_MOD, timerDescriptor, &event)
    }

    /// Wakes every responder to leave.
    func signalDone() {
        var byte: UInt8 = 1
        _ = write(doneDescriptors.write, &byte, 1)
    }

    private static func oneShot(_ events: UInt32) -> UInt32 {
        events | EPOLLONESHOT.rawValue
    }

    private static func control(_ epoll: Int32, _ operation: Int32, _ socket: Int32, tag: UInt64, events: UInt32) throws(FastCGIError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = tag
        try systemCall("epoll_ctl") { epoll_ctl(epoll, operation, socket, &event) }
    }
}
