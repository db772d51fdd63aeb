import Postgres

extension InstallationCheck {
    /// The auth presets whose tables the database has, and for each one
    /// `auth.presets` names: its tables and what its rules read in them
    /// (a missing table or column is a problem), and the grants the role
    /// needs there.
    func authPresetFindings(_ runner: TransactionRunner) throws(JobError) -> [Finding] {
        let catalog = runner.catalog
        var findings = try unconfiguredPresetFindings(catalog)
        guard !configuration.authPresets.isEmpty else { return findings }
        guard configuration.isEnabled(.cleanupAuth) else {
            return findings + [
                Finding(
                    level: .warning, message: "auth.presets is set, but cleanup-auth is switched off: their tables are not cleaned",
                    fix: "set auth.enabled = true (or auto)")
            ]
        }
        let rules: [PresetTableRule]
        do throws(JobError) {
            rules = try CleanupJobs.presetRules(of: configuration, in: catalog)
        } catch .schema(let message) {
            return findings + [Finding(ok: false, message: message, fix: nil)]
        }
        findings += try ruleFindings(rules, catalog: catalog)
        let role = try runner.run("SELECT current_user, rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
        // A superuser may do all of it (and is warned of already).
        guard role.value(column: 1) != "t" else { return findings }
        let quotedRole = try catalog.quote(role.value(column: 0) ?? "?").quoted
        for grant in Self.grants(of: rules) where try catalog.tableExists(grant.table) {
            findings += try privilegeFindings(on: grant.table, needed: grant.privileges, allowed: [], role: quotedRole, runner: runner)
            findings += try rowSecurityFinding(on: grant.table, role: quotedRole, runner: runner)
        }
        return findings
    }

    /// The presets whose tables are all here (an optional one aside) that
    /// `auth.presets` does not name.
    private func unconfiguredPresetFindings(_ catalog: SchemaCatalog) throws(JobError) -> [Finding] {
        var found: [AuthPreset] = []
        for preset in AuthPreset.allCases {
            var present = false
            var complete = true
            for rule in preset.tableRules(configuration.authPresetSettings) {
                if try catalog.tableExists(rule.table) { present = true } else if !rule.optional { complete = false }
            }
            if present && complete { found.append(preset) }
        }
        let configured = configuration.authPresets
        let unconfigured = found.filter { !configured.contains($0) }
        guard !unconfigured.isEmpty else { return [] }
        return [
            Finding(
                ok: true,
                message:
                    "the database has the tables of the auth presets \(unconfigured.map(\.rawValue).joined(separator: ", ")), which cleanup-auth does not clean",
                fix: "to clean them: auth.presets = \((configured + unconfigured).map(\.rawValue).joined(separator: ","))")
        ]
    }

    /// For each configured preset: what it cleans, or the columns its
    /// rules miss.
    private func ruleFindings(_ rules: [PresetTableRule], catalog: SchemaCatalog) throws(JobError) -> [Finding] {
        var findings: [Finding] = []
        for preset in configuration.authPresets {
            let own = rules.filter { $0.preset == preset }
            var problems: [Finding] = []
            for rule in own {
                do throws(JobError) {
                    _ = try rule.target(catalog, configuration.sessionColumnTimeZone)
                } catch .schema(let message) {
                    problems.append(Finding(ok: false, message: "auth preset \(preset.rawValue): \(message)", fix: "run the framework's migrations"))
                }
            }
            findings += problems
            if problems.isEmpty {
                findings.append(
                    Finding(
                        ok: true, message: "auth preset \(preset.rawValue) cleans " + own.map { "\($0.table) (\($0.summary))" }.joined(separator: "; "),
                        fix: nil))
            }
        }
        return findings
    }

    /// What the rules need, table by table: SELECT and DELETE on each
    /// rule's own, and its other grants.
    private static func grants(of rules: [PresetTableRule]) -> [(table: String, privileges: [String])] {
        var grants: [(table: String, privileges: [String])] = []
        func need(_ table: String, _ privileges: [String]) {
            if let index = grants.firstIndex(where: { $0.table == table }) {
                grants[index].privileges += privileges.filter { !grants[index].privileges.contains($0) }
            } else {
                grants.append((table, privileges))
            }
        }
        for rule in rules {
            need(rule.table, ["SELECT", "DELETE"])
            for grant in rule.otherGrants { need(grant.table, grant.privileges) }
        }
        return grants
    }

    /// Row-level security (Supabase enables it on its `auth` tables) shows
    /// a role that neither owns the table nor bypasses it no rows at all:
    /// a cleanup there would find nothing to delete, and say nothing.
    private func rowSecurityFinding(on table: String, role quotedRole: String, runner: TransactionRunner) throws(JobError) -> [Finding] {
        let quoted = try runner.catalog.quote(table).quoted
        let row = try runner.run(
            """
            SELECT c.relrowsecurity AND NOT pg_catalog.pg_has_role(c.relowner, 'USAGE')
                   AND NOT (SELECT rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = current_user)
            FROM pg_catalog.pg_class c WHERE c.oid = \(quoted)::regclass
            """)
        guard row.value(column: 0) == "t" else { return [] }
        return [
            Finding(
                ok: false, message: "row-level security on \(quoted) hides its rows from the database role \(quotedRole): nothing there would be cleaned",
                fix: "connect as the table's owner's member (GRANT <owner> TO \(quotedRole);) or ALTER ROLE \(quotedRole) BYPASSRLS;")
        ]
    }
}
