/// The cleanups that hold a lease (`CleanupLease`); the raw value names them
/// in logs, metrics and the lease table.
public enum CleanupKind: String, Sendable {
    case cleanupAuth = "cleanup-auth"
    case cleanupSessions = "cleanup-sessions"
}
