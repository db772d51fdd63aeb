#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
/// Bounds the whole time a responder may spend reading one request, so a
/// peer that trickles bytes (each read within the socket timeout) cannot
/// hold a responder for longer than the deadline either.
///
/// Each responder registers a duplicate of its connection's descriptor while
/// it reads; a watchdog thread shuts the socket down once the deadline has
/// passed, which makes libfcgi's blocked read fail and drop the connection.
/// The duplicate is closed only by its responder, under the lock, so the
/// watchdog never touches a descriptor number that was reused.
final class ReadDeadlines: @unchecked Sendable {
    // @unchecked: `readings` is only touched with `lock` held. A pthread
    // mutex rather than Synchronization.Mutex, whose futexes
    // ThreadSanitizer cannot see (it would report false races).
    private struct Reading {
        let duplicate: Int32
        let deadline: ContinuousClock.Instant
    }

    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var readings: [Reading?]
    private let limit: Duration

    init(slots: Int, limitSeconds: Int) {
        pthread_mutex_init(lock, nil)
        readings = [Reading?](repeating: nil, count: slots)
        limit = .seconds(limitSeconds)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    private func withLock<Result>(_ body: (inout [Reading?]) -> Result) -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body(&readings)
    }

    /// Starts the clock for responder `slot` reading from `socket`.
    func begin(slot: Int, socket: Int32) {
        let duplicate = fcntl(socket, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else { return }
        let deadline = ContinuousClock.now + limit
        withLock { $0[slot] = Reading(duplicate: duplicate, deadline: deadline) }
    }

    /// The request has been read (or dropped): stop the clock.
    func end(slot: Int) {
        withLock { readings in
            if let reading = readings[slot] { close(reading.duplicate) }
            readings[slot] = nil
        }
    }

    /// Shuts down every connection whose deadline has passed.
    func enforce() {
        let now = ContinuousClock.now
        withLock { readings in
            for reading in readings.compactMap({ $0 }) where reading.deadline <= now {
                shutdown(reading.duplicate, Int32(SHUT_RDWR))
            }
        }
    }
}
