extension CleanupOutcome {
    /// What a cleanup-sessions run did (or, dry, would do).
    public struct Sessions: Sendable, Equatable {
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
}

extension CleanupOutcome.Sessions {
    /// The run's answer, as the endpoint and `--json` give it.
    public var json: JSONValue {
        if dryRun {
            var members: [(key: String, value: JSONValue)] = [
                ("success", .bool(true)),
                ("dryRun", .bool(true)),
                ("deletedCount", .integer(0)),
                ("expiredCount", .integer(deletedCount)),
                ("message", .string("Dry run: \(deletedCount) expired session(s) would be deleted")),
                ("timestamp", .string(timestamp.iso8601)),
            ]
            // Only where the preset's verification-token table exists, so
            // the default schema's answer is unchanged.
            if let tokens = verificationTokensDeleted { members.insert(("expiredVerificationTokens", .integer(tokens)), at: 4) }
            return .object(members)
        }
        var members: [(key: String, value: JSONValue)] = [
            ("success", .bool(true)),
            ("deletedCount", .integer(deletedCount)),
            ("message", .string("Successfully deleted \(deletedCount) expired session(s)")),
            ("timestamp", .string(timestamp.iso8601)),
        ]
        if let tokens = verificationTokensDeleted { members.insert(("deletedVerificationTokens", .integer(tokens)), at: 2) }
        if hasMore { members.append(("hasMore", .bool(true))) }
        return .object(members)
    }
}
