extension CleanupOutcome {
    /// What a cleanup-auth run did (or, dry, would do).
    public struct Auth: Sendable, Equatable {
        public var loginAttempts = 0
        public var authAuditLog = 0
        public var userSessions = 0
        /// The run stopped at its time budget with rows left for the next run.
        public var hasMore = false
        public var dryRun = false
        public var durationMilliseconds = 0

        public var total: Int { loginAttempts + authAuditLog + userSessions }
    }
}

extension CleanupOutcome.Auth {
    /// The run's answer, as the endpoint and `--json` give it.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("success", .bool(true)),
            ("message", .string(dryRun ? "Dry run completed" : "Cleanup completed")),
        ]
        if dryRun { members.append(("dryRun", .bool(true))) }
        members.append(
            (
                dryRun ? "wouldDelete" : "deleted",
                .object([
                    ("loginAttempts", .integer(loginAttempts)),
                    ("authAuditLog", .integer(authAuditLog)),
                    ("userSessions", .integer(userSessions)),
                ])
            ))
        if hasMore { members.append(("hasMore", .bool(true))) }
        return .object(members)
    }
}
