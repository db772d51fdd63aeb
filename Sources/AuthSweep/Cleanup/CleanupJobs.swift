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
        let started = MonotonicInstant.now()
        var outcome = CleanupAuthOutcome(dryRun: options.dryRun)
        do throws(JobError) {
            try database.withStore { store throws(JobError) in
                let retention = configuration.authRetentionHours * 3600
                let targets = [
                    try DeletionTarget.olderThan(table: tables.loginAttempts, column: tables.loginAttemptsCreatedAt, retentionSeconds: retention, catalog: store.catalog),
                    try DeletionTarget.olderThan(table: tables.authAuditLog, column: tables.authAuditLogCreatedAt, retentionSeconds: retention, catalog: store.catalog),
                    try DeletionTarget.expiredOrRevoked(table: tables.userSessions, expiresColumn: tables.userSessionsExpiresAt, revokedColumn: tables.userSessionsRevokedAt, catalog: store.catalog),
                ]
                var counts: [Int] = []
                if options.dryRun {
                    counts = try targets.map { target throws(JobError) in try store.count(target) }
                } else {
                    try withLock(.cleanupAuth, store: store) { () throws(JobError) in
                        for target in targets {
                            if outcome.hasMore {
                                counts.append(0)
                                continue
                            }
                            let result = try deleteAll(target, store: store, started: started, options: options)
                            counts.append(result.deleted)
                            outcome.hasMore = result.hasMore
                        }
                    }
                }
                (outcome.loginAttempts, outcome.authAuditLog, outcome.userSessions) = (counts[0], counts[1], counts[2])
            }
        } catch {
            recordRun(.cleanupAuth, options: options, deleted: outcome.total, error: error, started: started)
            throw error
        }
        recordRun(.cleanupAuth, options: options, deleted: outcome.total, error: nil, started: started)
        outcome.durationMilliseconds = started.elapsedMilliseconds
        logger.info("cleanup finished", metadata: [
            "job.name": "cleanup-auth",
            "job.dry_run": "\(outcome.dryRun)",
            "job.deleted.login_attempts": "\(outcome.loginAttempts)",
            "job.deleted.auth_audit_log": "\(outcome.authAuditLog)",
            "job.deleted.user_sessions": "\(outcome.userSessions)",
            "job.has_more": "\(outcome.hasMore)",
            "job.duration_ms": "\(outcome.durationMilliseconds)",
        ])
        return outcome
    }

    /// Deletes expired sessions and records the run in the audit log (a
    /// failed run records `SESSION_CLEANUP_ERROR` when the database allows).
    public func cleanupSessions(on database: DatabaseSession, options: CleanupOptions) throws(JobError) -> CleanupSessionsOutcome {
        let started = MonotonicInstant.now()
        var outcome = CleanupSessionsOutcome(dryRun: options.dryRun)
        do throws(JobError) {
            try database.withStore { store throws(JobError) in
                let target = try DeletionTarget.expired(table: tables.session, column: tables.sessionExpires, catalog: store.catalog)
                if options.dryRun {
                    outcome.deletedCount = try store.count(target)
                    return
                }
                try withLock(.cleanupSessions, store: store) { () throws(JobError) in
                    do throws(JobError) {
                        let result = try deleteAll(target, store: store, started: started, options: options) { deleted in
                            outcome.deletedCount = deleted
                        }
                        outcome.hasMore = result.hasMore
                        try AuditLogWriter(store: store, tables: tables).record(
                            action: "SESSION_CLEANUP",
                            userID: nil,
                            details: .object([
                                ("deletedCount", .integer(outcome.deletedCount)),
                                ("hasMore", .bool(outcome.hasMore)),
                                ("durationMs", .integer(started.elapsedMilliseconds)),
                            ])
                        )
                    } catch {
                        recordFailure(error, deletedSoFar: outcome.deletedCount, store: store, started: started)
                        throw error
                    }
                }
            }
        } catch {
            logger.error("cleanup failed", metadata: [
                "job.name": "cleanup-sessions",
                "job.deleted": "\(outcome.deletedCount)",
                "error": "\(error.logDescription)",
            ])
            recordRun(.cleanupSessions, options: options, deleted: outcome.deletedCount, error: error, started: started)
            throw error
        }
        recordRun(.cleanupSessions, options: options, deleted: outcome.deletedCount, error: nil, started: started)
        outcome.durationMilliseconds = started.elapsedMilliseconds
        outcome.timestamp = .now()
        logger.info("cleanup finished", metadata: [
            "job.name": "cleanup-sessions",
            "job.dry_run": "\(outcome.dryRun)",
            "job.deleted": "\(outcome.deletedCount)",
            "job.has_more": "\(outcome.hasMore)",
            "job.duration_ms": "\(outcome.durationMilliseconds)",
        ])
        return outcome
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

    private func recordRun(_ job: CleanupKind, options: CleanupOptions, deleted: Int, error: JobError?, started: MonotonicInstant) {
        guard let metrics, !options.dryRun else { return }
        let result = switch error {
        case nil: "success"
        case .alreadyRunning?: "busy"
        default: "error"
        }
        metrics.cleanupRun(job: job, result: result, deleted: deleted, seconds: started.elapsedSeconds)
    }

    private func withLock(_ kind: CleanupKind, store: CleanupStore, _ body: () throws(JobError) -> Void) throws(JobError) {
        guard try store.tryLock(kind) else { throw .alreadyRunning(kind) }
        defer { try? store.unlock(kind) }
        try body()
    }

    /// Deletes `target` batch by batch until nothing is left or the time
    /// budget is spent; `onProgress` sees the running total after each batch.
    private func deleteAll(
        _ target: DeletionTarget,
        store: CleanupStore,
        started: MonotonicInstant,
        options: CleanupOptions,
        onProgress: (Int) -> Void = { _ in }
    ) throws(JobError) -> (deleted: Int, hasMore: Bool) {
        try DeletionPass(
            target: target,
            store: store,
            batchSize: configuration.batchSize,
            scan: configuration.deletionScan,
            started: started,
            timeBudgetSeconds: options.timeBudgetSeconds,
            logger: logger
        ).run { deleted in
            onProgress(deleted)
            options.progress?(target.name, deleted)
        }
    }

    /// Best effort: when the connection itself is gone, the log line is all.
    private func recordFailure(_ error: JobError, deletedSoFar: Int, store: CleanupStore, started: MonotonicInstant) {
        guard store.connection.isUsable else { return }
        do {
            try AuditLogWriter(store: store, tables: tables).record(
                action: "SESSION_CLEANUP_ERROR",
                userID: nil,
                details: .object([
                    ("error", .string(error.description)),
                    ("deletedCount", .integer(deletedSoFar)),
                    ("durationMs", .integer(started.elapsedMilliseconds)),
                ])
            )
        } catch {
            logger.warning("could not record the failed cleanup in the audit log", metadata: ["error": "\(error.logDescription)"])
        }
    }
}
