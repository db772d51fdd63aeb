/// What a cleanup-auth run did (or, dry, would do).
public struct CleanupAuthOutcome: Sendable, Equatable {
    public var loginAttempts = 0
    public var authAuditLog = 0
    public var userSessions = 0
    /// The run stopped at its time budget with rows left for the next run.
    public var hasMore = false
    public var dryRun = false
    public var durationMilliseconds = 0

    public var total: Int { loginAttempts + authAuditLog + userSessions }
}
