import Postgres

extension InstallationCheck {
    /// For each cleaned table that is partitioned: whether the partitions
    /// lying before the cutoff go whole (`cleanup.partitions`), and, where
    /// the role may not remove them, the grant that lets it (until then
    /// they are emptied row by row: a warning, never a failure).
    func partitionFindings(_ runner: TransactionRunner, cleaned: [(table: String, column: String)]) throws(JobError) -> [Finding] {
        var findings: [Finding] = []
        for (table, column) in cleaned {
            let quoted = try runner.catalog.quote(table)
            let result = try runner.run(
                """
                SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_partition_tree(c.oid) t
                               JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = t.relid
                               JOIN pg_catalog.pg_attribute k ON k.attrelid = pt.partrelid AND k.attnum = pt.partattrs[0]
                               WHERE pt.partstrat = 'r' AND pt.partnatts = 1 AND k.attname = \(column)),
                       NOT EXISTS (SELECT 1 FROM pg_catalog.pg_partition_tree(c.oid) t JOIN pg_catalog.pg_class tc ON tc.oid = t.relid
                                   WHERE NOT pg_catalog.pg_has_role(tc.relowner, 'USAGE')),
                       quote_ident(pg_catalog.pg_get_userbyid(c.relowner)), quote_ident(current_user)
                FROM pg_catalog.pg_class c WHERE c.oid = to_regclass(\(quoted.quoted)) AND c.relkind = 'p'
                """
            )
            guard let byRule = result.value(column: 0) else { continue }  // not partitioned
            guard byRule == "t" else {
                findings.append(
                    Finding(
                        ok: true,
                        message: "\(quoted) is partitioned, but not by range on \"\(column)\" alone: its rows are deleted batch by batch", fix: nil))
                continue
            }
            let owner = result.value(column: 2) ?? "the owner", role = result.value(column: 3) ?? "the role"
            switch configuration.cleanupPartitions {
            case .rows:
                findings.append(
                    Finding(
                        ok: true,
                        message:
                            "\(quoted) is range-partitioned on \"\(column)\"; cleanup.partitions = rows deletes its rows batch by batch (drop removes the partitions before the cutoff whole)",
                        fix: nil))
            case .drop, .detach:
                let verb = configuration.cleanupPartitions == .drop ? "dropped" : "detached"
                if result.value(column: 1) == "t" {
                    findings.append(
                        Finding(ok: true, message: "partitions of \(quoted) lying wholly before the cutoff are \(verb) whole, their rows counted", fix: nil))
                } else {
                    findings.append(
                        Finding(
                            level: .warning,
                            message:
                                "\(quoted) is range-partitioned on \"\(column)\", but role \(role) does not own all its partitions: those before the cutoff are emptied row by row instead of \(verb)",
                            fix:
                                "GRANT \(owner) TO \(role); (removing a partition needs its owner's rights), or set cleanup.partitions = rows to say row by row is meant"
                        ))
                }
            }
        }
        return findings
    }

    /// The tables the enabled cleanups delete from, with the column each
    /// one's cutoff is on, where they exist: the session rule's, the
    /// verification tokens' where they are cleaned, and cleanup-auth's
    /// where it runs (`expected` lists those only then).
    func cleanedTables(
        _ catalog: SchemaCatalog, expected: ExpectedColumns, verificationTable: String?
    ) throws(JobError) -> [(table: String, column: String)] {
        let tables = configuration.tables
        var cleaned: [(table: String, column: String)] = []
        if configuration.sessionsEnabled {
            cleaned.append((tables.session, tables.sessionExpires))
            if let verificationTable { cleaned.append((verificationTable, tables.verificationTokenExpires)) }
        }
        let auth = [
            (tables.loginAttempts, tables.loginAttemptsCreatedAt), (tables.authAuditLog, tables.authAuditLogCreatedAt),
            (tables.userSessions, tables.userSessionsExpiresAt),
        ]
        cleaned += auth.filter { entry in expected.timestamps.contains { $0.table == entry.0 && $0.column == entry.1 } }
        var existing: [(table: String, column: String)] = []
        for entry in cleaned where try catalog.tableExists(entry.table) { existing.append(entry) }
        return existing
    }
}
