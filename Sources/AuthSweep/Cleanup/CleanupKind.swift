import Postgres

/// The cleanups that take an advisory lock; the raw value names them in logs.
public enum CleanupKind: String, Sendable {
    case cleanupAuth = "cleanup-auth"
    case cleanupSessions = "cleanup-sessions"

    /// Second half of the advisory-lock key (the first is `CleanupStore.lockNamespace`).
    var lockKey: Int32 {
        switch self {
        case .cleanupAuth: 1
        case .cleanupSessions: 2
        }
    }
}
