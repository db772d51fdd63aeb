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
        public let ok: Bool
        public let message: String
        public let fix: String?
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
        findings += socketFindings()
        let database = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
        do throws(JobError) {
            try database.withStore { store throws(JobError) in
                findings.append(Finding(ok: true, message: "the database is reachable", fix: nil))
                findings += try schemaFindings(store)
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
            let rotation = secrets.previous == nil ? "" : " (a previous secret is also accepted)"
            return Finding(ok: true, message: "the secret is set and long enough\(rotation)", fix: nil)
        } catch {
            return Finding(ok: false, message: error.message, fix: nil)
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

    private func schemaFindings(_ store: CleanupStore) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let timestampColumns = [
            (tables.loginAttempts, tables.loginAttemptsCreatedAt), (tables.authAuditLog, tables.authAuditLogCreatedAt),
            (tables.userSessions, tables.userSessionsExpiresAt), (tables.userSessions, tables.userSessionsRevokedAt),
            (tables.session, tables.sessionExpires), (tables.auditLog, tables.auditLogCreatedAt),
        ]
        let otherColumns = [
            (tables.session, tables.sessionID), (tables.session, tables.sessionToken), (tables.session, tables.sessionUserID),
            (tables.user, tables.userID), (tables.user, tables.userName), (tables.user, tables.userEmail), (tables.user, tables.userRole),
            (tables.auditLog, tables.auditLogID), (tables.auditLog, tables.auditLogUserID),
            (tables.auditLog, tables.auditLogAction), (tables.auditLog, tables.auditLogDetails),
        ]
        var findings: [Finding] = []
        var missingTables: Set<String> = []
        for table in Set((timestampColumns + otherColumns).map(\.0)).sorted() {
            if try store.run("SELECT to_regclass(\(try store.catalog.quote(table).quoted)) IS NULL").value() == "t" {
                missingTables.insert(table)
                findings.append(
                    Finding(
                        ok: false, message: "table \"\(table)\" does not exist", fix: "create it (see deploy/schema.sql) or set its name in the config file"))
            }
        }
        for (table, column) in timestampColumns where !missingTables.contains(table) {
            do throws(JobError) {
                _ = try store.catalog.clock(table: table, column: column)
                findings.append(Finding(ok: true, message: "\"\(table)\".\"\(column)\" is a timestamp", fix: nil))
            } catch {
                findings.append(Finding(ok: false, message: error.description, fix: "fix the column or its name in the config file"))
            }
        }
        for (table, column) in otherColumns where !missingTables.contains(table) {
            if try store.catalog.columnType(table: table, column: column) == nil {
                findings.append(
                    Finding(
                        ok: false, message: "column \"\(column)\" of table \"\(table)\" does not exist", fix: "fix the column or its name in the config file"))
            }
        }
        if !missingTables.contains(tables.session) {
            findings.append(try expiryIndexFinding(store))
        }
        return findings
    }

    /// The cleanup and the stats scan the session table by expiry; without an
    /// index leading with that column each batch reads the whole table.
    private func expiryIndexFinding(_ store: CleanupStore) throws(JobError) -> Finding {
        let tables = configuration.tables
        let table = try store.catalog.quote(tables.session)
        let indexed =
            try store.run(
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
        let indexName = try store.catalog.quote("\(tables.session)_\(tables.sessionExpires)_idx")
        return Finding(
            ok: false,
            message: "\(table) has no index on \"\(tables.sessionExpires)\": every cleanup batch and every stats call reads the whole table",
            fix: "CREATE INDEX CONCURRENTLY \(indexName) ON \(table) (\(try store.catalog.quote(tables.sessionExpires)));"
        )
    }
}
