import Postgres

extension InstallationCheck {
    /// What the role authsweep connects as may do to each table, against
    /// what it needs: SELECT and DELETE on the tables it cleans, INSERT on
    /// the audit table (SELECT there too, for the run records), and nothing
    /// on the user table. Missing privileges are problems; more than needed
    /// (and being a superuser or a table's owner) are warnings: a leaked
    /// connection string should not be able to rewrite sessions, users or
    /// the audit trail.
    func privilegeFindings(_ runner: TransactionRunner, existing: Set<String>) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let role = try runner.run("SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
        let quotedRole = try runner.catalog.quote(role.value(column: 0) ?? "?").quoted
        if role.value(column: 1) == "t" {
            return [
                Finding(
                    level: .warning, message: "the database role \(quotedRole) is a superuser: it can read and change everything",
                    fix: "connect as a role with only the grants docs/install.md lists (Deploying, step 3)")
            ]
        }
        var needs: [(table: String, needed: [String], allowed: [String])] =
            ([tables.loginAttempts, tables.authAuditLog, tables.userSessions, tables.session] + [tables.verificationToken].compactMap { $0 })
            .map { ($0, ["SELECT", "DELETE"], []) }
        needs.append((tables.auditLog, ["INSERT"], ["SELECT"]))
        needs.append((tables.user, [], ["SELECT"]))
        needs.append((RunRecordTable.name, ["SELECT", "INSERT", "UPDATE"], []))
        var findings: [Finding] = []
        for (table, needed, allowed) in needs where existing.contains(table) {
            findings += try privilegeFindings(on: table, needed: needed, allowed: allowed, role: quotedRole, runner: runner)
        }
        if findings.isEmpty {
            findings.append(Finding(ok: true, message: "the database role \(quotedRole) has the privileges the cleanups need and no more", fix: nil))
        }
        return findings
    }

    private static let privileges = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]

    /// What `role` may do to one table: the missing privileges (problems,
    /// or warnings where the cleanup can do without), owning it, and more
    /// than needed (warnings).
    func privilegeFindings(
        on table: String, needed: [String], allowed: [String], role quotedRole: String, runner: TransactionRunner
    ) throws(JobError) -> [Finding] {
        let tables = configuration.tables
        let privileges = Self.privileges
        let quoted = try runner.catalog.quote(table).quoted
        let row = try runner.run(
            """
            SELECT \(unsafeSQL: privileges.map { "has_table_privilege(c.oid, '\($0)')" }.joined(separator: ", ")),
                   c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
            FROM pg_catalog.pg_class c WHERE c.oid = \(quoted)::regclass
            """)
        let owns = row.value(column: privileges.count) == "t"
        // Owning its own table (created by its first run) is expected.
        if owns, table == RunRecordTable.name { return [] }
        if owns {
            return [
                Finding(
                    level: .warning, message: "the database role \(quotedRole) owns \(quoted): it can alter, empty or drop it",
                    fix: "let the application's role own the tables, and connect authsweep as a role with only the grants it needs")
            ]
        }
        var findings: [Finding] = []
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
        return findings
    }
}
