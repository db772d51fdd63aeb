import Logging

/// The cleanups and the stats: one implementation behind both the HTTP
/// endpoints and the command line.
public struct CleanupJobs: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    /// Where `serve` counts runs; `nil` on the command line.
    public let metrics: ServiceMetrics?

    public init(configuration: Configuration, logger: Logger, metrics: ServiceMetrics? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
    }

    private var tables: TableNames { configuration.tables }

    /// Deletes login attempts and auth audit entries past the retention,
    /// and user sessions that are expired or revoked.
    public func cleanupAuth(on database: DatabaseSession, options: CleanupOptions) throws(JobError) -> CleanupAuthOutcome {
        let retention = configuration.authRetentionHours * 3600
        let plan = CleanupPlan(
            kind: .cleanupAuth,
            targets: { catalog throws(JobError) in
                [
                    (
                        try .olderThan(table: tables.loginAttempts, column: tables.loginAttemptsCreatedAt, retentionSeconds: retention, catalog: catalog),
                        "login_attempts"
                    ),
                    (
                        try .olderThan(table: tables.authAuditLog, column: tables.authAuditLogCreatedAt, retentionSeconds: retention, catalog: catalog),
                        "auth_audit_log"
                    ),
                    (
                        try .expiredOrRevoked(
                            table: tables.userSessions, expiresColumn: tables.userSessionsExpiresAt, revokedColumn: tables.userSessionsRevokedAt,
                            catalog: catalog), "user_sessions"
                    ),
                ]
            }, audited: false)
        let result = try run(plan, options: options, on: database)
        return CleanupAuthOutcome(
            loginAttempts: result.deleted[0],
            authAuditLog: result.deleted[1],
            userSessions: result.deleted[2],
            hasMore: result.hasMore,
            dryRun: options.dryRun,
            durationMilliseconds: result.duration.milliseconds
        )
    }

    /// Deletes expired sessions and records the run in the audit log (a
    /// failed run records `SESSION_CLEANUP_ERROR` when the database allows).
    public func cleanupSessions(on database: DatabaseSession, options: CleanupOptions) throws(JobError) -> CleanupSessionsOutcome {
        let plan = CleanupPlan(
            kind: .cleanupSessions,
            targets: { catalog throws(JobError) in
                [(try .expired(table: tables.session, column: tables.sessionExpires, catalog: catalog), "sessions")]
            }, audited: true)
        let result = try run(plan, options: options, on: database)
        return CleanupSessionsOutcome(
            deletedCount: result.total,
            hasMore: result.hasMore,
            dryRun: options.dryRun,
            durationMilliseconds: result.duration.milliseconds,
            timestamp: .now()
        )
    }

    private func run(_ plan: CleanupPlan, options: CleanupOptions, on database: DatabaseSession) throws(JobError) -> CleanupRunResult {
        try CleanupRun(plan: plan, configuration: configuration, logger: logger, metrics: metrics, options: options).perform(on: database)
    }

    /// Counts active and expired sessions; changes nothing.
    public func sessionStats(on database: DatabaseSession) throws(JobError) -> SessionStats {
        let counts = try database.withStore { store throws(JobError) in
            try store.sessionCounts(table: tables.session, expiresColumn: tables.sessionExpires)
        }
        return SessionStats(active: counts.active, expired: counts.expired, timestamp: .now())
    }

    /// Whether a `SELECT 1` succeeds on this session's connection.
    public func databaseIsReachable(on database: DatabaseSession) -> Bool {
        do {
            try database.withStore { store throws(JobError) in _ = try store.run("SELECT 1") }
            return true
        } catch {
            logger.warning("health check failed", metadata: ["error": "\(error.logDescription)"])
            return false
        }
    }
}
