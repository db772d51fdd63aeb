import Postgres

/// The tables and columns the enabled jobs and the administration commands
/// use, as the configuration (and its `session.preset`) names them.
extension InstallationCheck {
    /// What the enabled jobs read, by kind of column.
    struct ExpectedColumns {
        /// Compared with a cutoff: each must be a timestamp.
        var timestamps: [(table: String, column: String)] = []
        var others: [(table: String, column: String)] = []

        var tables: Set<String> { Set((timestamps + others).map(\.table)) }
    }

    func schemaFindings(_ runner: TransactionRunner) throws(JobError) -> [Finding] {
        let catalog = runner.catalog
        var (expected, findings) = try expectedColumns(catalog)
        let missingTables = try missingTableFindings(expected, catalog: catalog, into: &findings)
        findings += try columnFindings(expected, missingTables: missingTables, runner: runner)
        let verificationTable = try verificationTokenFindings(catalog, into: &findings)
        findings += try presetFindings(catalog)
        findings += try partitionFindings(runner, cleaned: try cleanedTables(catalog, expected: expected, verificationTable: verificationTable))
        var existing = expected.tables.subtracting(missingTables)
        if let verificationTable { existing.insert(verificationTable) }
        if let finding = try runRecordTableFinding(runner) {
            findings.append(finding)
        } else {
            existing.insert(RunRecordTable.name)
        }
        findings += try privilegeFindings(runner, existing: existing)
        findings += try authPresetFindings(runner)
        return findings
    }

    /// The columns the enabled jobs read, and what is worth knowing about
    /// which jobs run and where their runs are recorded.
    func expectedColumns(_ catalog: SchemaCatalog) throws(JobError) -> (ExpectedColumns, [Finding]) {
        let tables = configuration.tables
        var expected = ExpectedColumns()
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
            func cleans(_ table: String, _ enabled: Bool) throws(JobError) -> Bool {
                try CleanupJobs.cleansContractTable(table, enabled: enabled, of: configuration, in: catalog)
            }
            if try cleans(tables.loginAttempts, configuration.loginAttemptsEnabled) {
                expected.timestamps.append((tables.loginAttempts, tables.loginAttemptsCreatedAt))
            }
            if try cleans(tables.authAuditLog, configuration.authAuditLogEnabled) {
                expected.timestamps.append((tables.authAuditLog, tables.authAuditLogCreatedAt))
            }
            if try cleans(tables.userSessions, configuration.userSessionsEnabled) {
                expected.timestamps += [(tables.userSessions, tables.userSessionsExpiresAt), (tables.userSessions, tables.userSessionsRevokedAt)]
            }
        }
        // No id column is fine: the administration commands name a session by its token then.
        expected.others.append((tables.session, tables.sessionToken))
        if let userColumn = tables.sessionUserID { expected.others.append((tables.session, userColumn)) }
        // The users table and the contract's "AuditLog" are used where they
        // exist, under every preset: Auth.js's own Prisma schema has no
        // "AuditLog", and its "User" no role.
        if try catalog.tableExists(tables.user) {
            expected.others.append((tables.user, tables.userID))
            findings += try userColumnFindings(catalog)
        }
        if try catalog.tableExists(tables.auditLog) {
            expected.timestamps.append((tables.auditLog, tables.auditLogCreatedAt))
            expected.others += [
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
        return (expected, findings)
    }

    /// A problem for each expected table that does not exist; returns them.
    func missingTableFindings(_ expected: ExpectedColumns, catalog: SchemaCatalog, into findings: inout [Finding]) throws(JobError) -> Set<String> {
        var missing: Set<String> = []
        for table in expected.tables.sorted() where try !catalog.tableExists(table) {
            missing.insert(table)
            findings.append(
                Finding(
                    ok: false, message: "table \"\(table)\" does not exist",
                    fix: table == configuration.tables.session
                        ? "set session.preset to the framework whose tables these are (see the presets matched below), or the session.* names"
                        : "create it (see deploy/schema.sql) or set its name in the config file"))
        }
        return missing
    }

    /// The expected columns of the tables that exist: each there, and the
    /// compared ones timestamps; the session rule and its index.
    func columnFindings(_ expected: ExpectedColumns, missingTables: Set<String>, runner: TransactionRunner) throws(JobError) -> [Finding] {
        let catalog = runner.catalog
        let tables = configuration.tables
        var findings: [Finding] = []
        for (table, column) in expected.timestamps where !missingTables.contains(table) {
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
        for (table, column) in expected.others where !missingTables.contains(table) {
            if try catalog.columnType(table: table, column: column) == nil {
                findings.append(
                    Finding(
                        ok: false, message: "column \"\(column)\" of table \"\(table)\" does not exist", fix: "fix the column or its name in the config file"))
            }
        }
        if !missingTables.contains(tables.session) {
            findings.append(try expiryIndexFinding(runner))
        }
        return findings
    }

    /// Whether the preset's verification tokens are cleaned too; returns
    /// their table when they are.
    func verificationTokenFindings(_ catalog: SchemaCatalog, into findings: inout [Finding]) throws(JobError) -> String? {
        let tables = configuration.tables
        guard let verification = tables.verificationToken else { return nil }
        guard try catalog.tableExists(verification) else {
            findings.append(Finding(ok: true, message: "no table \"\(verification)\": no verification tokens to clean", fix: nil))
            return nil
        }
        do throws(JobError) {
            _ = try catalog.ruleClock(table: verification, column: tables.verificationTokenExpires)
            findings.append(Finding(ok: true, message: "expired verification tokens in \"\(verification)\" are cleaned too", fix: nil))
            return verification
        } catch {
            // The cleanup leaves such a table alone (with a warning) rather than fail.
            findings.append(
                Finding(
                    level: .warning, message: "\(error.description): expired verification tokens are not cleaned",
                    fix: "fix verification_token.expires in the config file, or empty verification_token.table"))
            return nil
        }
    }

    /// Nil when the run-record table exists; else whether the first cleanup can create it.
    func runRecordTableFinding(_ runner: TransactionRunner) throws(JobError) -> Finding? {
        let lease = try runner.run("SELECT to_regclass(\(RunRecordTable.name)) IS NULL, has_schema_privilege(current_schema(), 'CREATE')")
        if lease.value(column: 0) != "t" { return nil }
        if lease.value(column: 1) == "t" {
            return Finding(ok: true, message: "table \(RunRecordTable.name) does not exist yet: the first cleanup creates it", fix: nil)
        }
        return Finding(
            ok: false,
            message:
                "table \(RunRecordTable.name) does not exist and this role may not create it: it holds the leases that keep cleanups one at a time",
            fix: "psql -f deploy/authsweep-tables.sql as the tables' owner, then GRANT SELECT, INSERT, UPDATE ON \(RunRecordTable.name) TO the workers' role"
        )
    }

    /// The users commands change these columns of the users table; a
    /// missing one (Auth.js's own "User" has no role) stops only the
    /// command that needs it.
    func userColumnFindings(_ catalog: SchemaCatalog) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let columns = [(tables.userRole, "users set-role"), (tables.userName, "users update --name"), (tables.userEmail, "users update --email")]
        var findings: [Finding] = []
        for (column, command) in columns where try catalog.columnType(table: tables.user, column: column) == nil {
            findings.append(
                Finding(ok: true, message: "\"\(tables.user)\" has no column \"\(column)\": \(command) cannot be used (nothing else needs it)", fix: nil))
        }
        return findings
    }
}
