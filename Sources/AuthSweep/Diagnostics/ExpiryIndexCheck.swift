import Postgres

extension InstallationCheck {
    /// The size of the session table from which a missing index on its
    /// rule column matters: below it, reading the whole table takes
    /// milliseconds (about 50,000 sessions).
    static let unindexedTableLimitBytes = 10 * 1024 * 1024

    /// The cleanup and the stats scan the session table by its rule column;
    /// without an index leading with that column each batch reads the whole
    /// table. No stock schema of Auth.js, Better Auth or Lucia has one, so
    /// it is a warning, whose weight the table's size tells.
    func expiryIndexFinding(_ runner: TransactionRunner) throws(JobError) -> Finding {
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
        // Named with its schema when that is not public: the statement is run from psql, whose search path may not find it.
        let schema =
            try runner.run(
                """
                SELECT CASE WHEN n.nspname = 'public' THEN '' ELSE quote_ident(n.nspname) || '.' END
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(\(table.quoted))
                """
            ).value() ?? ""
        let bytes = size.value().flatMap(Int.init) ?? 0
        let weight =
            bytes < Self.unindexedTableLimitBytes
            ? "harmless at its size now (\(size.value(column: 1) ?? "?")), it matters once the table passes 10 MB (about 50,000 sessions)"
            : "at \(size.value(column: 1) ?? "?") (10 MB and more) every cleanup batch and every stats call reads the whole table"
        return Finding(
            level: .warning,
            message: "\(table) has no index on \"\(tables.sessionExpires)\": \(weight)",
            fix: "CREATE INDEX CONCURRENTLY \(indexName) ON \(schema)\(table) (\(try runner.catalog.quote(tables.sessionExpires)));"
        )
    }
}
