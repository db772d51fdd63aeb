public import Logging
import Postgres

/// The cleanups and the stats: one implementation behind both the HTTP
/// endpoints and the command line.
public struct CleanupJobs: Sendable {
    public let configuration: Configuration
    public let logger: Logger
    /// Told of every run: the dead-man pings (`monitor.ping_url`) and, in
    /// `serve`, the worker's metrics.
    public let observers: [any RunObserver]

    public init(configuration: Configuration, logger: Logger, observers: [any RunObserver] = []) {
        self.configuration = configuration
        self.logger = logger
        self.observers = observers
    }

    var tables: TableNames { configuration.tables }

    /// Deletes login attempts and auth audit entries past the retention,
    /// and user sessions that are expired or revoked; a table switched off
    /// (`login_attempts.enabled` and the like) is neither read nor counted.
    public func cleanupAuth(on database: DatabaseSession, options: CleanupOptions) throws(JobError) -> CleanupOutcome.Auth {
        // Found with the catalog, in the run; read for the answer after it.
        var presetRules: [PresetTableRule] = []
        let plan = CleanupPlan(
            kind: .cleanupAuth,
            targets: { catalog throws(JobError) in
                let tables = try authTables(catalog)
                presetRules = tables.compactMap(\.preset)
                return tables.map { ($0.target, $0.name) }
            }, audited: { _ in false })
        let result = try run(plan, options: options, on: database)
        func deleted(_ name: CleanupTarget) -> Int { result.deletedByTarget[name] ?? 0 }
        let outcome = CleanupOutcome.Auth(
            loginAttempts: deleted(.loginAttempts),
            authAuditLog: deleted(.authAuditLog),
            userSessions: deleted(.userSessions),
            presetTables: presetRules.map { .init(preset: $0.preset, table: $0.table, deleted: deleted($0.name)) },
            hasMore: result.hasMore,
            dryRun: options.dryRun,
            durationMilliseconds: result.duration.milliseconds
        )
        if let runID = result.runID { observers.forEach { $0.runSucceeded(.cleanupAuth, runID: runID, outcome: .cleanupAuth(outcome)) } }
        return outcome
    }

    /// Deletes expired sessions (by the preset's rule, after
    /// `session.expired_retention_hours`) and expired verification tokens,
    /// and records the run in the audit log where there is one (a failed
    /// run records `SESSION_CLEANUP_ERROR` when the database allows). The
    /// run's record on its lease row is the record `status` reads; the
    /// contract's `"AuditLog"` is written where it exists, under every
    /// preset: Auth.js's own Prisma schema has none.
    public func cleanupSessions(on database: DatabaseSession, options: CleanupOptions) throws(JobError) -> CleanupOutcome.Sessions {
        let retention = configuration.sessionExpiredRetentionHours * 3600
        let plan = CleanupPlan(
            kind: .cleanupSessions,
            targets: { catalog throws(JobError) in
                var targets = [
                    (try SessionRule(configuration: configuration, catalog: catalog).deletionTarget(retentionSeconds: retention), CleanupTarget.sessions)
                ]
                if let tokens = try verificationTokenRule(catalog) {
                    targets.append((tokens.deletionTarget(retentionSeconds: 0), .verificationTokens))
                }
                return targets
            },
            audited: { catalog throws(JobError) in try catalog.tableExists(tables.auditLog) })
        let result = try run(plan, options: options, on: database)
        let outcome = CleanupOutcome.Sessions(
            deletedCount: result.deletedByTarget[.sessions] ?? 0,
            verificationTokensDeleted: result.deletedByTarget[.verificationTokens],
            hasMore: result.hasMore,
            dryRun: options.dryRun,
            durationMilliseconds: result.duration.milliseconds,
            timestamp: .now()
        )
        if let runID = result.runID { observers.forEach { $0.runSucceeded(.cleanupSessions, runID: runID, outcome: .cleanupSessions(outcome)) } }
        return outcome
    }

    /// The verification tokens' rule, when the preset's table exists and
    /// this role may clean it. A table the role may not read and delete
    /// from (a deployment's grants that predate the tokens), or whose
    /// expiry is not a time, is left alone with a warning: the sessions are
    /// the job, and `check` says what to grant or fix.
    func verificationTokenRule(_ catalog: SchemaCatalog) throws(JobError) -> SessionRule? {
        guard let table = tables.verificationToken, try catalog.tableExists(table) else { return nil }
        guard try catalog.mayReadAndDelete(table) else {
            logger.warning(
                "expired verification tokens are not cleaned: this role may not SELECT and DELETE in their table",
                metadata: ["job.table": "\(table)"])
            return nil
        }
        do throws(JobError) {
            return try SessionRule(
                table: table, column: tables.verificationTokenExpires, lifetimeMinutes: nil, wallClockZone: configuration.sessionColumnTimeZone,
                catalog: catalog)
        } catch {
            logger.warning("expired verification tokens are not cleaned", metadata: ["job.table": "\(table)", "error": "\(error.logDescription)"])
            return nil
        }
    }

    private func run(_ plan: CleanupPlan, options: CleanupOptions, on database: DatabaseSession) throws(JobError) -> CleanupRun.Deletions {
        try CleanupRun(plan: plan, configuration: configuration, logger: logger, observers: observers, options: options).perform(on: database)
    }

    /// Counts active and expired sessions with `query`, from one snapshot;
    /// changes nothing. (The workers choose the query by time and share
    /// counts among concurrent requests: CronAPI's `SessionCountCoalescer`.)
    public func sessionCounts(on database: DatabaseSession, query: SessionCountQuery) throws(JobError) -> SessionCounts {
        try database.withCleanupStore { store throws(JobError) in
            try store.sessionCounts(SessionRule(configuration: configuration, catalog: store.catalog), query: query)
        }
    }

    /// The session stats as of now, counted once (the command line's).
    public func sessionStats(on database: DatabaseSession, query: SessionCountQuery = .rangeCounts) throws(JobError) -> SessionStats {
        let counts = try sessionCounts(on: database, query: query)
        return SessionStats(active: counts.active, expired: counts.expired, timestamp: .now())
    }

    /// What the run records say of each job (see `CleanupStatus`).
    public func status(on database: DatabaseSession, now: Timestamp = .now()) throws(JobError) -> CleanupStatus {
        try CleanupStatus.read(on: database, kinds: [.cleanupAuth, .cleanupSessions], staleAfterHours: configuration.staleAfterHours, now: now) {
            kind throws(JobError) in try expectsRuns(of: kind, on: database)
        }
    }

    /// Whether the job is expected to run here: enabled, and for
    /// cleanup-auth with `auth.enabled` unset ("auto"), one of its tables
    /// exists (the application's schema is the contract's, not Auth.js's
    /// own). `cleanup-all` runs and `status` waits for these jobs only.
    public func expectsRuns(of kind: CleanupKind, on database: DatabaseSession) throws(JobError) -> Bool {
        guard configuration.isEnabled(kind) else { return false }
        guard kind == .cleanupAuth, !configuration.authEnabledExplicitly else { return true }
        return try database.withCleanupStore { store throws(JobError) in try !Self.cleanupAuthTables(of: configuration, existingIn: store.catalog).isEmpty }
    }

    /// The enabled tables of cleanup-auth that exist.
    static func cleanupAuthTables(of configuration: Configuration, existingIn catalog: SchemaCatalog) throws(JobError) -> [String] {
        let tables = configuration.tables
        let enabled = [
            (configuration.loginAttemptsEnabled, tables.loginAttempts), (configuration.authAuditLogEnabled, tables.authAuditLog),
            (configuration.userSessionsEnabled, tables.userSessions),
        ]
        var existing: [String] = []
        for (on, table) in enabled where on {
            if try catalog.tableExists(table) { existing.append(table) }
        }
        for preset in configuration.authPresets {
            for rule in preset.tableRules(configuration.authPresetSettings) where try catalog.tableExists(rule.table) { existing.append(rule.table) }
        }
        return existing
    }

    /// Whether a `SELECT 1` succeeds on this session's connection.
    public func databaseIsReachable(on database: DatabaseSession) -> Bool {
        do {
            try database.withCleanupStore { store throws(JobError) in _ = try store.run("SELECT 1") }
            return true
        } catch {
            logger.warning("health check failed", metadata: ["error": "\(error.logDescription)"])
            return false
        }
    }
}
