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

/// What a cleanup-sessions run did (or, dry, would do).
public struct CleanupSessionsOutcome: Sendable, Equatable {
    /// Rows deleted; for a dry run, rows that would be.
    public var deletedCount = 0
    public var hasMore = false
    public var dryRun = false
    public var durationMilliseconds = 0
    public var timestamp = Timestamp(millisecondsSinceEpoch: 0)
}

/// Session counts from one snapshot: `total == active + expired`.
public struct SessionStats: Sendable, Equatable {
    public var active: Int
    public var expired: Int
    public var timestamp: Timestamp

    public var total: Int { active + expired }
}

/// How a cleanup should run.
public struct CleanupOptions: Sendable {
    /// Count only; delete nothing and write no audit row.
    public var dryRun = false
    /// Stop between batches once this much time has passed; `nil` for no limit.
    public var timeBudget: Duration?
    /// Called after every batch with the table and the rows deleted from it so far.
    public var progress: (@Sendable (String, Int) -> Void)?

    public init(dryRun: Bool = false, timeBudget: Duration? = nil, progress: (@Sendable (String, Int) -> Void)? = nil) {
        self.dryRun = dryRun
        self.timeBudget = timeBudget
        self.progress = progress
    }
}
