#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value shared between threads that also wait for it to change: a
/// pthread mutex and condition variable, which ThreadSanitizer sees (see
/// `Locked`).
///
/// A waiting thread never holds an access to the value across its wait:
/// `withLockWhenReady` calls its step afresh, with the lock held, each
/// time another thread has changed the value with `withLockBroadcasting`.
package final class ConditionLock<Value>: @unchecked Sendable {
    // @unchecked: `value` and `waiters` are only touched with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value
    private var waiters = 0

    package init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Reads or changes the value; waiters are not woken.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// Changes the value, then wakes every waiter to look at it again.
    package func withLockBroadcasting<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
        }
        return try body(&value)
    }

    /// Calls `step` with the lock held until it returns a result: when it
    /// returns nil, waits for the next broadcast and calls it again.
    package func withLockWhenReady<Result>(_ step: (inout Value) throws -> Result?) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result = try step(&value) { return result }
            waiters += 1
            pthread_cond_wait(changed, mutex)
            waiters -= 1
        }
    }

    /// Threads waiting in `withLockWhenReady` now.
    package var waiting: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return waiters
    }
}
