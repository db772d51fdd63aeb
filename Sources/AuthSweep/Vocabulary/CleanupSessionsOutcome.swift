/// What a cleanup-sessions run did (or, dry, would do).
public struct CleanupSessionsOutcome: Sendable, Equatable {
    /// Rows deleted; for a dry run, rows that would be.
    public var deletedCount = 0
    /// Expired verification tokens deleted (dry: that would be), when the
    /// preset has a verification-token table and it exists; else `nil`.
    public var verificationTokensDeleted: Int?
    public var hasMore = false
    public var dryRun = false
    public var durationMilliseconds = 0
    public var timestamp = Timestamp(millisecondsSinceEpoch: 0)
}
