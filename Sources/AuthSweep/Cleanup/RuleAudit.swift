import Postgres

/// What `cleanup-sessions --dry-run --explain` reports for one of its
/// rules: the rule in words, and how the table's rows stand against it,
/// including the rows it can never match (a NULL in the rule column) and
/// the ones whose moment is implausibly far ahead (milliseconds stored as
/// seconds, a year typed wrong): rows a cleanup will keep forever.
public struct RuleAudit: Sendable, Equatable {
    /// `sessions` or `verification_tokens`.
    public let name: String
    public let table: String
    /// The rule in words.
    public let rule: String
    /// Rows the cleanup would delete now (expired, and past any retention).
    public let matching: Int
    /// Rows past the rule's boundary, kept or not.
    public let expired: Int
    /// How long the longest-expired row has been expired, in seconds; `nil` when none is.
    public let oldestExpiredAgeSeconds: Double?
    /// Rows whose rule column is NULL: never expired, never deleted.
    public let nullRows: Int
    /// Rows whose moment lies beyond `farFutureSeconds` from now.
    public let farFuture: Int
    /// What counts as implausibly far ahead for this rule.
    public let farFutureSeconds: Int

    /// An expiry more than ten years ahead; for a last-activity column, any
    /// activity more than a day in the future.
    static func farFutureSeconds(lastActivity: Bool) -> Int {
        lastActivity ? 86_400 : 3_650 * 86_400
    }

    /// Audits the rule's table against it, in one scan of the table.
    static func examine(name: String, rule: SessionRule, retentionSeconds: Int, store: CleanupStore) throws(JobError) -> RuleAudit {
        let farFutureSeconds = farFutureSeconds(lastActivity: rule.lifetimeSeconds > 0)
        let (column, clock) = (rule.column, rule.clock)
        let result = try store.run(
            """
            SELECT count(*) FILTER (WHERE \(rule.deletionTarget(retentionSeconds: retentionSeconds).condition)),
                   count(*) FILTER (WHERE \(rule.expired)),
                   count(*) FILTER (WHERE \(column) IS NULL),
                   count(*) FILTER (WHERE \(column) > \(clock.secondsAgo(-farFutureSeconds))),
                   extract(epoch FROM (SELECT now()) - min(\(rule.expiry)) FILTER (WHERE \(rule.expired)))::double precision
            FROM \(rule.table)
            """
        )
        func count(_ column: Int) throws(JobError) -> Int {
            try TransactionRunner.integer(result, column: column)
        }
        return RuleAudit(
            name: name, table: rule.tableName, rule: rule.words(retentionSeconds: retentionSeconds),
            matching: try count(0), expired: try count(1),
            oldestExpiredAgeSeconds: result.value(column: 4).flatMap(Double.init),
            nullRows: try count(2), farFuture: try count(3), farFutureSeconds: farFutureSeconds)
    }
}

extension CleanupJobs {
    /// The audit of cleanup-sessions' rules (the sessions, and the
    /// verification tokens where the preset has them); deletes nothing.
    public func explainSessionRules(on database: DatabaseSession) throws(JobError) -> [RuleAudit] {
        let retention = configuration.sessionExpiredRetentionHours * 3600
        return try database.withCleanupStore { store throws(JobError) in
            let catalog = store.catalog
            let rule = try SessionRule(configuration: configuration, catalog: catalog)
            var audits = [try RuleAudit.examine(name: CleanupTarget.sessions.rawValue, rule: rule, retentionSeconds: retention, store: store)]
            if let tokens = try verificationTokenRule(catalog) {
                audits.append(try RuleAudit.examine(name: CleanupTarget.verificationTokens.rawValue, rule: tokens, retentionSeconds: 0, store: store))
            }
            return audits
        }
    }
}

/// What `cleanup-auth --dry-run --explain` reports for each of its tables:
/// the rule in words, the rows it matches now of all the table holds, and
/// whether PostgreSQL would read the whole table to find them (no index
/// serves the rule).
public struct AuthRuleAudit: Sendable, Equatable {
    /// `login_attempts`, or `<preset>.<table>` for an auth preset's.
    public let name: String
    public let table: String
    public let rule: String
    public let matching: Int
    public let rows: Int
    public let sequentialScan: Bool
}

extension CleanupJobs {
    /// The audit of cleanup-auth's rules, table by table; deletes nothing.
    public func explainAuthRules(on database: DatabaseSession) throws(JobError) -> [AuthRuleAudit] {
        try database.withCleanupStore { store throws(JobError) in
            var audits: [AuthRuleAudit] = []
            for table in try authTables(store.catalog) {
                let counts = try store.run("SELECT count(*) FILTER (WHERE \(table.target.condition)), count(*) FROM \(table.target.table)")
                audits.append(
                    AuthRuleAudit(
                        name: table.name.rawValue, table: table.target.name, rule: table.rule,
                        matching: try TransactionRunner.integer(counts, column: 0), rows: try TransactionRunner.integer(counts, column: 1),
                        sequentialScan: try store.deletionEstimate(table.target).sequentialScan))
            }
            return audits
        }
    }
}
