import Postgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `authsweep check` runs for an operator: it looks at the effective
/// configuration, the secret, the database and the socket paths, and says
/// in plain words what is wrong and what to do.
public struct InstallationCheck: Sendable {
    /// One finding; `fix` is a concrete next step when there is one.
    public struct Finding: Sendable, Equatable {
        public enum Level: Sendable, Equatable {
            case ok
            /// Works, but wider than it should be; `check` still passes.
            case warning
            /// Breaks authsweep; `check` fails.
            case problem
        }

        public let level: Level
        public let message: String
        public let fix: String?

        public var ok: Bool { level != .problem }

        init(ok: Bool, message: String, fix: String?) {
            self.init(level: ok ? .ok : .problem, message: message, fix: fix)
        }

        init(level: Level, message: String, fix: String?) {
            self.level = level
            self.message = message
            self.fix = fix
        }
    }

    public let configuration: Configuration
    public let environment: Environment

    public init(configuration: Configuration, environment: Environment) {
        self.configuration = configuration
        self.environment = environment
    }

    /// Every finding, in order; `databaseReachable` is false when no
    /// connection could be made.
    public func examine() -> (findings: [Finding], databaseReachable: Bool) {
        var findings = [secretFinding()]
        findings += (configuration.database?.notes ?? []).map { Finding(ok: true, message: "DATABASE_URL: \($0)", fix: nil) }
        findings += secretFileFindings()
        findings += socketFindings()
        let database = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
        do throws(JobError) {
            try database.withRunner { runner throws(JobError) in
                findings.append(Finding(ok: true, message: "the database is reachable", fix: nil))
                findings += try topologyFindings(runner)
                findings += try schemaFindings(runner)
            }
        } catch {
            if case .database(let failure) = error, failure.kind == .connectionFailed {
                findings.append(
                    Finding(
                        ok: false, message: "the database cannot be reached: \(failure.detail)",
                        fix: "check DATABASE_URL (or the PG* variables) and that PostgreSQL is running"))
                return (findings, false)
            }
            findings.append(Finding(ok: false, message: "the database check failed: \(error.logDescription)", fix: nil))
        }
        return (findings, true)
    }

    private func secretFinding() -> Finding {
        do {
            let secrets = try CronSecrets.load(from: environment)
            // Length and a short fingerprint: comparable with `authsweep secret
            // fingerprint` on a caller's copy, without showing either.
            var described = ["CRON_SECRET \(SHA256.fingerprint(secrets.current))"]
            if let previous = secrets.previous { described.append("CRON_SECRET_PREVIOUS \(SHA256.fingerprint(previous))") }
            if let token = secrets.metricsToken { described.append("METRICS_TOKEN \(SHA256.fingerprint(token))") }
            return Finding(ok: true, message: "the secrets are set and usable: \(described.joined(separator: "; "))", fix: nil)
        } catch {
            return Finding(ok: false, message: error.message, fix: nil)
        }
    }

    /// A secret file others can read lets them start cleanups (or, for the
    /// metrics token, read the metrics); one they can write lets them lock
    /// the schedulers out. Read access for the file's group is fine when
    /// that group is this user's own (the package's root:authsweep 0640,
    /// checked as authsweep): nobody else is in it.
    private func secretFileFindings() -> [Finding] {
        CronSecrets.files(in: environment).compactMap { variable, path in
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }  // unreadable: reported with the secret
            let mode = info.st_mode & 0o777
            let groupIsOurs = info.st_gid == getgid()
            guard mode & 0o026 != 0 || (mode & 0o040 != 0 && !groupIsOurs) else { return nil }
            let who = mode & 0o006 != 0 ? "every local user" : "its group"
            return Finding(
                level: .warning, message: "\(variable) \(path) can be read or written by \(who) (mode 0\(String(mode, radix: 8)))",
                fix: "chmod 600 \(path), or chmod 640 with the service's own group (chgrp authsweep \(path))")
        }
    }

    private func socketFindings() -> [Finding] {
        configuration.listen.filter { $0.hasPrefix("unix:") }.map { spec in
            let path = String(spec.dropFirst(5))
            let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            if access(directory, W_OK) == 0 {
                return Finding(ok: true, message: "the socket directory \(directory) is writable", fix: nil)
            }
            return Finding(
                ok: false, message: "the socket directory \(directory) is not writable by this user",
                fix: "create it and give it to the service user (systemd: RuntimeDirectory=)")
        }
    }

    /// Where the connection lands: a standby cannot run a cleanup, and a
    /// transaction-mode pooler shares server connections between clients
    /// (what that means for authsweep is in the finding).
    private func topologyFindings(_ runner: TransactionRunner) throws(JobError) -> [Finding] {
        var findings: [Finding] = []
        if try runner.run("SELECT pg_is_in_recovery()").value() == "t" {
            findings.append(
                Finding(
                    ok: false, message: "the server is a standby (read-only): every cleanup would fail",
                    fix: "point DATABASE_URL at the primary, or list every host with target_session_attrs=read-write"))
        } else {
            findings.append(Finding(ok: true, message: "the server accepts writes (a primary)", fix: nil))
        }
        if try sharesServerConnections(runner) {
            findings.append(
                Finding(
                    ok: true,
                    message:
                        "a transaction-mode pooler is in between (two client connections were served by one server connection): supported; timeouts are set per transaction and runs are kept one at a time by their lease, and a run killed between batches keeps its lease until cleanup.lease_seconds pass",
                    fix: nil))
        }
        return findings
    }

    /// Whether two client connections get the same server backend in turn,
    /// which only a pooler that hands server connections out per
    /// transaction does: the first client's statement ends, its server
    /// connection goes back to the pool, and the next client is given it.
    private func sharesServerConnections(_ runner: TransactionRunner) throws(JobError) -> Bool {
        let settings = DatabaseSettings(configuration: configuration)
        for _ in 0..<3 {
            let first = try runner.run("SELECT pg_backend_pid()").value()
            let other = try settings.connect()
            let second = try TransactionRunner(
                connection: other, catalog: SchemaCatalog(connection: other, transactionSettings: settings.transactionSettings),
                transactionSettings: settings.transactionSettings
            )
            .run("SELECT pg_backend_pid()").value()
            if first == second { return true }
        }
        return false
    }

    /// The tables and columns the enabled jobs and the administration
    /// commands use, as the configuration (and its `session.preset`) names
    /// them.
    private func schemaFindings(_ runner: TransactionRunner) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let catalog = runner.catalog
        var timestampColumns: [(String, String)] = []
        var findings: [Finding] = []
        let cleanupAuthRuns: Bool
        if configuration.isEnabled(.cleanupAuth) && !configuration.authEnabledExplicitly {
            cleanupAuthRuns = try !CleanupJobs.cleanupAuthTables(of: configuration, existingIn: catalog).isEmpty
            if !cleanupAuthRuns {
                findings.append(
                    Finding(
                        ok: true,
                        message:
                            "cleanup-auth does not run here: none of its tables (\(tables.loginAttempts), \(tables.authAuditLog), \(tables.userSessions)) is in this database (auth.enabled = auto)",
                        fix: nil))
            }
        } else {
            cleanupAuthRuns = configuration.isEnabled(.cleanupAuth)
        }
        if cleanupAuthRuns {
            if configuration.loginAttemptsEnabled { timestampColumns.append((tables.loginAttempts, tables.loginAttemptsCreatedAt)) }
            if configuration.authAuditLogEnabled { timestampColumns.append((tables.authAuditLog, tables.authAuditLogCreatedAt)) }
            if configuration.userSessionsEnabled {
                timestampColumns += [(tables.userSessions, tables.userSessionsExpiresAt), (tables.userSessions, tables.userSessionsRevokedAt)]
            }
        }
        // No id column is fine: the administration commands name a session by its token then.
        var otherColumns = [(tables.session, tables.sessionToken)]
        if let userColumn = tables.sessionUserID { otherColumns.append((tables.session, userColumn)) }
        // The users table and the contract's "AuditLog" are used where they
        // exist, under every preset: Auth.js's own Prisma schema has no
        // "AuditLog", and its "User" no role.
        if try catalog.tableExists(tables.user) {
            otherColumns.append((tables.user, tables.userID))
            findings += try userColumnFindings(catalog)
        }
        if try catalog.tableExists(tables.auditLog) {
            timestampColumns.append((tables.auditLog, tables.auditLogCreatedAt))
            otherColumns += [
                (tables.auditLog, tables.auditLogID), (tables.auditLog, tables.auditLogUserID),
                (tables.auditLog, tables.auditLogAction), (tables.auditLog, tables.auditLogDetails),
            ]
            findings.append(
                Finding(ok: true, message: "each cleanup-sessions run and each administration change is recorded in \"\(tables.auditLog)\" too", fix: nil))
        } else {
            findings.append(
                Finding(
                    ok: true,
                    message:
                        "no table \"\(tables.auditLog)\": runs are recorded in \(RunRecordTable.name) (what status reads) and the log; audit rows are written once the table exists",
                    fix: nil))
        }
        var missingTables: Set<String> = []
        for table in Set((timestampColumns + otherColumns).map(\.0)).sorted() where try !catalog.tableExists(table) {
            missingTables.insert(table)
            findings.append(
                Finding(
                    ok: false, message: "table \"\(table)\" does not exist",
                    fix: table == tables.session
                        ? "set session.preset to the framework whose tables these are (see the presets matched below), or the session.* names"
                        : "create it (see deploy/schema.sql) or set its name in the config file"))
        }
        for (table, column) in timestampColumns where !missingTables.contains(table) {
            do throws(JobError) {
                _ = try catalog.clock(table: table, column: column)
                findings.append(Finding(ok: true, message: "\"\(table)\".\"\(column)\" is a timestamp", fix: nil))
            } catch {
                findings.append(Finding(ok: false, message: error.description, fix: "fix the column or its name in the config file"))
            }
        }
        if !missingTables.contains(tables.session) {
            do throws(JobError) {
                let rule = try SessionRule(configuration: configuration, catalog: catalog)
                let retention = configuration.sessionExpiredRetentionHours * 3600
                findings.append(Finding(ok: true, message: "expired sessions: \(rule.words(retentionSeconds: retention))", fix: nil))
                findings += try ColumnTimeZoneCheck(rule: rule, configuredZone: configuration.sessionColumnTimeZone).findings(runner)
            } catch {
                findings.append(Finding(ok: false, message: error.description, fix: "fix the column or its name in the config file"))
            }
        }
        for (table, column) in otherColumns where !missingTables.contains(table) {
            if try catalog.columnType(table: table, column: column) == nil {
                findings.append(
                    Finding(
                        ok: false, message: "column \"\(column)\" of table \"\(table)\" does not exist", fix: "fix the column or its name in the config file"))
            }
        }
        if !missingTables.contains(tables.session) {
            findings.append(try expiryIndexFinding(runner))
        }
        var verificationTable: String?
        if let verification = tables.verificationToken {
            if try catalog.tableExists(verification) {
                do throws(JobError) {
                    _ = try catalog.ruleClock(table: verification, column: tables.verificationTokenExpires)
                    verificationTable = verification
                    findings.append(Finding(ok: true, message: "expired verification tokens in \"\(verification)\" are cleaned too", fix: nil))
                } catch {
                    // The cleanup leaves such a table alone (with a warning) rather than fail.
                    findings.append(
                        Finding(
                            level: .warning, message: "\(error.description): expired verification tokens are not cleaned",
                            fix: "fix verification_token.expires in the config file, or empty verification_token.table"))
                }
            } else {
                findings.append(Finding(ok: true, message: "no table \"\(verification)\": no verification tokens to clean", fix: nil))
            }
        }
        findings += try presetFindings(catalog)
        var existing = Set((timestampColumns + otherColumns).map(\.0)).subtracting(missingTables)
        if let verificationTable { existing.insert(verificationTable) }
        let lease = try runner.run("SELECT to_regclass(\(RunRecordTable.name)) IS NULL, has_schema_privilege(current_schema(), 'CREATE')")
        if lease.value(column: 0) != "t" {
            existing.insert(RunRecordTable.name)
        } else if lease.value(column: 1) == "t" {
            findings.append(Finding(ok: true, message: "table \(RunRecordTable.name) does not exist yet: the first cleanup creates it", fix: nil))
        } else {
            findings.append(
                Finding(
                    ok: false,
                    message:
                        "table \(RunRecordTable.name) does not exist and this role may not create it: it holds the leases that keep cleanups one at a time",
                    fix:
                        "psql -f deploy/authsweep-tables.sql as the tables' owner, then GRANT SELECT, INSERT, UPDATE ON \(RunRecordTable.name) TO the workers' role"
                ))
        }
        findings += try privilegeFindings(runner, existing: existing)
        return findings
    }

    /// The users commands change these columns of the users table; a
    /// missing one (Auth.js's own "User" has no role) stops only the
    /// command that needs it.
    private func userColumnFindings(_ catalog: SchemaCatalog) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let columns = [(tables.userRole, "users set-role"), (tables.userName, "users update --name"), (tables.userEmail, "users update --email")]
        var findings: [Finding] = []
        for (column, command) in columns where try catalog.columnType(table: tables.user, column: column) == nil {
            findings.append(
                Finding(ok: true, message: "\"\(tables.user)\" has no column \"\(column)\": \(command) cannot be used (nothing else needs it)", fix: nil))
        }
        return findings
    }

    /// What the role authsweep connects as may do to each table, against
    /// what it needs: SELECT and DELETE on the tables it cleans, INSERT on
    /// the audit table (SELECT there too, for the run records), and nothing
    /// on the user table. Missing privileges are problems; more than needed
    /// (and being a superuser or a table's owner) are warnings: a leaked
    /// connection string should not be able to rewrite sessions, users or
    /// the audit trail.
    private func privilegeFindings(_ runner: TransactionRunner, existing: Set<String>) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let role = try runner.run("SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
        let quotedRole = try runner.catalog.quote(role.value(column: 0) ?? "?").quoted
        if role.value(column: 1) == "t" {
            return [
                Finding(
                    level: .warning, message: "the database role \(quotedRole) is a superuser: it can read and change everything",
                    fix: "connect as a role with only the grants the README lists (Deploying, step 2)")
            ]
        }
        var needs: [(table: String, needed: [String], allowed: [String])] =
            ([tables.loginAttempts, tables.authAuditLog, tables.userSessions, tables.session] + [tables.verificationToken].compactMap { $0 })
            .map { ($0, ["SELECT", "DELETE"], []) }
        needs.append((tables.auditLog, ["INSERT"], ["SELECT"]))
        needs.append((tables.user, [], ["SELECT"]))
        needs.append((RunRecordTable.name, ["SELECT", "INSERT", "UPDATE"], []))
        let privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
        var findings: [Finding] = []
        for (table, needed, allowed) in needs where existing.contains(table) {
            let quoted = try runner.catalog.quote(table).quoted
            let row = try runner.run(
                """
                SELECT \(unsafeSQL: privileges.map { "has_table_privilege(c.oid, '\($0)')" }.joined(separator: ", ")),
                       c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
                FROM pg_catalog.pg_class c WHERE c.oid = \(quoted)::regclass
                """)
            // Owning its own table (created by its first run) is expected.
            if row.value(column: privileges.count) == "t", table == RunRecordTable.name { continue }
            if row.value(column: privileges.count) == "t" {
                findings.append(
                    Finding(
                        level: .warning, message: "the database role \(quotedRole) owns \(quoted): it can alter, empty or drop it",
                        fix: "let the application's role own the tables, and connect authsweep as a role with only the grants it needs"))
                continue
            }
            let held = Set(privileges.indices.filter { row.value(column: $0) == "t" }.map { privileges[$0] })
            let missing = needed.filter { !held.contains($0) }
            if !missing.isEmpty {
                // Without them the cleanup skips the verification tokens (and says so) instead of failing.
                let optional = table == tables.verificationToken
                findings.append(
                    Finding(
                        level: optional ? .warning : .problem,
                        message: "the database role \(quotedRole) cannot \(missing.joined(separator: " or ")) on \(quoted)"
                            + (optional ? ": expired verification tokens are not cleaned" : ""),
                        fix: "GRANT \(missing.joined(separator: ", ")) ON \(quoted) TO \(quotedRole);"))
            }
            let extra = privileges.filter { held.contains($0) && !needed.contains($0) && !allowed.contains($0) }
            if !extra.isEmpty {
                let purpose =
                    table == tables.user
                    ? "only the administration commands change users, under a role of their own" : "authsweep does not need them"
                findings.append(
                    Finding(
                        level: .warning, message: "the database role \(quotedRole) can also \(extra.joined(separator: ", ")) on \(quoted): \(purpose)",
                        fix: "REVOKE \(extra.joined(separator: ", ")) ON \(quoted) FROM \(quotedRole);"))
            }
        }
        if findings.isEmpty {
            findings.append(Finding(ok: true, message: "the database role \(quotedRole) has the privileges the cleanups need and no more", fix: nil))
        }
        return findings
    }

    /// Which presets the database's tables match (each preset's own names,
    /// whatever the configuration overrides), and a warning when the
    /// configured one is not among them.
    private func presetFindings(_ catalog: SchemaCatalog) throws(JobError) -> [Finding] {
        var matching: [SessionPreset] = []
        for preset in SessionPreset.allCases {
            let names = preset.tableNames
            var columns = [names.sessionToken]
            if let user = names.sessionUserID { columns.append(user) }
            guard try catalog.tableExists(names.session),
                try catalog.columnType(table: names.session, column: names.sessionExpires).flatMap({ ColumnClock(ruleColumnType: $0) }) != nil
            else { continue }
            var complete = true
            for column in columns where try catalog.columnType(table: names.session, column: column) == nil { complete = false }
            if complete { matching.append(preset) }
        }
        let configured = configuration.sessionPreset
        // Names set beside the preset are the operator's own table: no advice then.
        let ownNames =
            configuration.tables.session != configured.tableNames.session || configuration.tables.sessionExpires != configured.tableNames.sessionExpires
        var lifetimeFinding: [Finding] = []
        if configuration.sessionLifetimeMinutes != nil, configured.rule == .expiresAt {
            lifetimeFinding.append(
                Finding(
                    level: .warning,
                    message: "session.lifetime_minutes is set, but \(configured.rawValue)'s table stores each session's expiry: it is not used",
                    fix: "remove session.lifetime_minutes (it is for the laravel and rails presets)"))
        }
        guard !matching.isEmpty else {
            return lifetimeFinding + [
                Finding(
                    level: ownNames ? .ok : .warning,
                    message: "the database has the session table of no preset (\(SessionPreset.allCases.map(\.rawValue).joined(separator: ", ")))",
                    fix: ownNames ? nil : "set the session.* names to the application's own table")
            ]
        }
        let described = matching.map { "\($0.rawValue) (\($0.tableNames.session))" }.joined(separator: ", ")
        var findings = lifetimeFinding + [Finding(ok: true, message: "the database's session tables match the presets: \(described)", fix: nil)]
        if !matching.contains(configured), !ownNames {
            findings.append(
                Finding(
                    level: .warning,
                    message:
                        "session.preset is \(configured.rawValue), whose table \(configured.tableNames.session) is not in this database with the columns that preset expects; it has those of \(matching.map(\.rawValue).joined(separator: ", "))",
                    fix: "set session.preset = \(matching[0].rawValue) in the config file (or AUTHSWEEP_SESSION_PRESET)"))
        }
        return findings
    }

    /// The size of the session table from which a missing index on its
    /// rule column matters: below it, reading the whole table takes
    /// milliseconds (about 50,000 sessions).
    static let unindexedTableLimitBytes = 10 * 1024 * 1024

    /// The cleanup and the stats scan the session table by its rule column;
    /// without an index leading with that column each batch reads the whole
    /// table. No stock schema of Auth.js, Better Auth or Lucia has one, so
    /// it is a warning, whose weight the table's size tells.
    private func expiryIndexFinding(_ runner: TransactionRunner) throws(JobError) -> Finding {
        let tables = configuration.tables
        let table = try runner.catalog.quote(tables.session)
        let indexed =
            try runner.run(
                """
                SELECT EXISTS (
                    SELECT 1 FROM pg_catalog.pg_index i
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                    WHERE i.indrelid = to_regclass(\(table.quoted)) AND a.attname = \(tables.sessionExpires) AND i.indisvalid
                )
                """
            ).value() == "t"
        if indexed {
            return Finding(ok: true, message: "\(table) has an index on \"\(tables.sessionExpires)\"", fix: nil)
        }
        let indexName = try runner.catalog.quote("\(tables.session)_\(tables.sessionExpires)_idx")
        let size = try runner.run("SELECT pg_relation_size(\(table.quoted)::regclass), pg_size_pretty(pg_relation_size(\(table.quoted)::regclass))")
        let bytes = size.value().flatMap(Int.init) ?? 0
        let weight =
            bytes < Self.unindexedTableLimitBytes
            ? "harmless at its size now (\(size.value(column: 1) ?? "?")), it matters once the table passes 10 MB (about 50,000 sessions)"
            : "at \(size.value(column: 1) ?? "?") (10 MB and more) every cleanup batch and every stats call reads the whole table"
        return Finding(
            level: .warning,
            message: "\(table) has no index on \"\(tables.sessionExpires)\": \(weight)",
            fix: "CREATE INDEX CONCURRENTLY \(indexName) ON \(table) (\(try runner.catalog.quote(tables.sessionExpires)));"
        )
    }
}
