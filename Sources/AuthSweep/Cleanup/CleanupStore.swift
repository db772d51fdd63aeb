import Postgres

/// The SQL of the cleanups and the stats, run through one connection's
/// `TransactionRunner` (which gives every statement its transaction and
/// timeouts).
struct CleanupStore {
    let runner: TransactionRunner

    var catalog: SchemaCatalog { runner.catalog }

    /// Deletes up to `limit` rows of `target` in one statement (its own
    /// transaction). The rows are picked by their ctid and the condition is
    /// checked again in the DELETE: a row updated meanwhile (a session
    /// refreshed) is a new row version, which neither the picked ctid nor, on
    /// re-evaluation, the condition matches, so it is left alone. (No FOR
    /// UPDATE: locking every row first doubled the heap writes, and it would
    /// need UPDATE privilege.) Rows at `excluded` are not picked; picked rows
    /// that a transaction still in progress holds (`RowPositions.heldByOthers`)
    /// are left, and their positions returned, without waiting for them.
    /// - Returns: how many rows were picked and deleted, and where the held ones are.
    func deleteBatch(
        _ target: DeletionTarget, limit: Int, excluding excluded: RowPositions
    ) throws(JobError) -> (
        picked: Int, deleted: Int, held: [String]
    ) {
        let result = try run(
            """
            WITH picked AS MATERIALIZED (
                SELECT ctid, \(RowPositions.heldByOthers) AS held FROM \(target.table)
                WHERE \(target.condition) \(excluded.filter)
                LIMIT \(limit)::int
            ), \(target.deletion(where: "ctid = ANY(ARRAY(SELECT ctid FROM picked WHERE NOT held)) AND \(target.condition)"))
            SELECT (SELECT count(*) FROM picked), (SELECT count(*) FROM deleted),
                   array_to_string(ARRAY(SELECT ctid::text FROM picked WHERE held), ' ')
            """
        )
        return (try integer(result, column: 0), try integer(result, column: 1), Self.positions(result.value(column: 2)))
    }

    /// Deletes the rows of `target` that `filter` picks (with their
    /// dependents).
    /// - Returns: the rows deleted from the target's table.
    private func delete(_ target: DeletionTarget, where filter: SQLQuery) throws(JobError) -> Int {
        // A plain DELETE where it can: counting through RETURNING took a third longer.
        guard !target.dependents.isEmpty else { return try run("DELETE FROM \(target.table) WHERE \(filter)").affectedRows }
        return try integer(run("WITH \(target.deletion(where: filter)) SELECT count(*) FROM deleted"), column: 0)
    }

    /// `(1,2) (3,4)`: positions as the statements list them.
    private static func positions(_ list: String?) -> [String] {
        (list ?? "").split(separator: " ").map(String.init)
    }

    /// The positions of the rows `deleteBatch` would pick now.
    func pickBatch(_ target: DeletionTarget, limit: Int, excluding excluded: RowPositions) throws(JobError) -> [String] {
        try run("SELECT ctid::text FROM \(target.table) WHERE \(target.condition) \(excluded.filter) LIMIT \(limit)::int").rows.compactMap { $0.first ?? nil }
    }

    /// The positions of the removable rows in pages `firstPage..<endPage`.
    func pickPages(_ target: DeletionTarget, from firstPage: Int, to endPage: Int, excluding excluded: RowPositions) throws(JobError) -> [String] {
        try run("SELECT ctid::text FROM \(target.table) WHERE \(pageRange(firstPage, endPage)) AND \(target.condition) \(excluded.filter)")
            .rows.compactMap { $0.first ?? nil }
    }

    /// Deletes the row at `position` if it is still removable.
    func deleteRow(_ target: DeletionTarget, at position: String) throws(JobError) -> Int {
        try delete(target, where: "ctid = \(position)::tid AND \(target.condition)")
    }

    /// What PostgreSQL's planner expects of one bare `DELETE` of `target`:
    /// whether it would read the whole table (a sequential scan), and how
    /// many rows it estimates the condition matches. Plans only.
    func deletionEstimate(_ target: DeletionTarget) throws(JobError) -> (sequentialScan: Bool, rows: Double) {
        let plan = try run("EXPLAIN DELETE FROM \(target.table) WHERE \(target.planningCondition)")
        let lines = plan.rows.compactMap { $0.first ?? nil }
        // The line after "Delete on ..." is the scan that finds the rows.
        guard let scan = lines.dropFirst().first(where: { $0.contains("Scan") }),
            let rowsField = scan.split(separator: " ").first(where: { $0.hasPrefix("rows=") }),
            let rows = Double(rowsField.dropFirst("rows=".count))
        else {
            throw .database(PostgresError(kind: .unexpectedResult, detail: "unexpected EXPLAIN output", location: #function))
        }
        return (scan.contains("Seq Scan on"), rows)
    }

    /// The table's size in pages now, its rows and rows per page as of the
    /// last `ANALYZE` or `VACUUM` (`nil` before the first), and whether all
    /// its rows are in its own pages (not for a partitioned table, nor for
    /// one with child tables).
    func pageCount(_ target: DeletionTarget) throws(JobError) -> TablePages {
        let result = try run(
            """
            SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint,
                   CASE WHEN c.reltuples > 0 AND c.relpages > 0 THEN c.reltuples END,
                   CASE WHEN c.reltuples > 0 AND c.relpages > 0 THEN c.reltuples / c.relpages END,
                   c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)
            FROM pg_catalog.pg_class c WHERE c.oid = \(target.table.quoted)::regclass
            """
        )
        return TablePages(
            pages: try integer(result, column: 0),
            rows: result.value(column: 1).flatMap(Double.init),
            rowsPerPage: result.value(column: 2).flatMap(Double.init),
            plain: result.value(column: 3) == "t"
        )
    }

    /// What `pageCount` reads of a table.
    struct TablePages {
        let pages: Int
        let rows: Double?
        let rowsPerPage: Double?
        let plain: Bool
    }

    /// Deletes the removable rows of `target` that lie in pages
    /// `firstPage..<endPage` (in the caller's transaction): a TID range
    /// scan reads just those pages, in table order. A row updated meanwhile
    /// is re-checked against the condition before it is deleted, so a
    /// session refreshed while the sweep runs survives. Rows at `excluded`
    /// are left, and so are rows a transaction still in progress holds,
    /// without waiting for them. Where those are takes a read of the pages
    /// first, done only when another transaction holds a row-level lock on
    /// the table (a quiet table, the usual case for a large sweep, costs
    /// none). Two statements: a DELETE that counted its rows through
    /// RETURNING took a third longer.
    /// - Returns: how many rows were deleted, and where the held ones are.
    func deletePages(
        _ target: DeletionTarget, from firstPage: Int, to endPage: Int, excluding excluded: RowPositions
    ) throws(JobError) -> (
        deleted: Int, held: [String]
    ) {
        let range = pageRange(firstPage, endPage)
        let held = try run(
            """
            SELECT array_to_string(ARRAY(
                SELECT ctid::text FROM \(target.table)
                WHERE (SELECT EXISTS (
                          SELECT 1 FROM pg_catalog.pg_locks
                          WHERE relation = \(target.table.quoted)::regclass AND mode IN ('RowShareLock', 'RowExclusiveLock')
                            AND pid IS DISTINCT FROM pg_catalog.pg_backend_pid()))
                  AND \(range) AND \(RowPositions.heldByOthers) AND \(target.condition) \(excluded.filter)), ' ')
            """
        )
        let deleted = try delete(target, where: "\(range) AND NOT \(RowPositions.heldByOthers) AND \(target.condition) \(excluded.filter)")
        return (deleted, Self.positions(held.value(column: 0)))
    }

    private func pageRange(_ firstPage: Int, _ endPage: Int) -> SQLQuery {
        "ctid >= \(Self.tid(page: firstPage))::tid AND ctid < \(Self.tid(page: endPage))::tid"
    }

    /// The first row position of `page` as `tid` text. Block numbers are
    /// 32-bit: a page past the last one is the last one.
    private static func tid(page: Int) -> String {
        "(\(min(page, Int(UInt32.max))),0)"
    }

    /// How many rows of `target` are removable now.
    func count(_ target: DeletionTarget) throws(JobError) -> Int {
        try integer(run("SELECT count(*) FROM \(target.table) WHERE \(target.condition)"), column: 0)
    }

    /// Whether any row of `target` in pages `firstPage` onwards is
    /// removable now: reads those pages only (after a sweep the index is
    /// still full of the entries of the rows it deleted).
    func hasRows(_ target: DeletionTarget, fromPage firstPage: Int) throws(JobError) -> Bool {
        try run("SELECT EXISTS (SELECT 1 FROM \(target.table) WHERE ctid >= \(Self.tid(page: firstPage))::tid AND \(target.condition))").firstBool()
    }

    /// Whether any row of `target` is removable now.
    func hasRows(_ target: DeletionTarget) throws(JobError) -> Bool {
        try run("SELECT EXISTS (SELECT 1 FROM \(target.table) WHERE \(target.condition))").firstBool()
    }

    /// Active and expired sessions (see `SessionRule`), from
    /// one snapshot (one statement) and one `now` (fixed per transaction),
    /// counted the way `query` says (see `SessionCountQuery`). A NULL in the
    /// rule column is neither.
    func sessionCounts(_ rule: SessionRule, query: SessionCountQuery) throws(JobError) -> SessionCounts {
        let now = rule.boundary
        let expires = rule.column
        let quotedTable = rule.table
        switch query {
        case .rangeCounts:
            let result = try run(
                """
                SELECT (SELECT count(*) FROM \(quotedTable) WHERE \(rule.active)),
                       (SELECT count(*) FROM \(quotedTable) WHERE \(rule.expired))
                """
            )
            return SessionCounts(active: try integer(result, column: 0), expired: try integer(result, column: 1))
        case .onePass where rule.maximumAge != nil:
            let result = try run("SELECT count(*) FILTER (WHERE \(rule.active)), count(*) FILTER (WHERE \(rule.expired)) FROM \(quotedTable)")
            return SessionCounts(active: try integer(result, column: 0), expired: try integer(result, column: 1))
        case .onePass:
            // count(column) only tests for NULL (the filter reads the
            // column anyway), so each row is compared once.
            let result = try run("SELECT count(\(expires)), count(*) FILTER (WHERE \(expires) <= \(now)) FROM \(quotedTable)")
            let total = try integer(result, column: 0)
            let expired = try integer(result, column: 1)
            return SessionCounts(active: total - expired, expired: expired)
        }
    }

    /// Runs one statement (see `TransactionRunner.run`).
    @discardableResult
    func run(_ query: SQLQuery, function: String = #function) throws(JobError) -> PGResult {
        try runner.run(query, function: function)
    }

    /// Runs `body` in one transaction (see `TransactionRunner.inTransaction`).
    func inTransaction<Result>(
        asynchronousCommit: Bool = false, lockWait: Duration? = nil, _ body: () throws(JobError) -> Result
    ) throws(JobError) -> Result {
        try runner.inTransaction(asynchronousCommit: asynchronousCommit, lockWait: lockWait, body)
    }

    private func integer(_ result: PGResult, column: Int) throws(JobError) -> Int {
        try TransactionRunner.integer(result, column: column)
    }
}

extension DatabaseSession {
    /// Runs `body` with the cleanup statements on a live connection (see `withRunner`).
    func withCleanupStore<Result>(_ body: (CleanupStore) throws(JobError) -> Result) throws(JobError) -> Result {
        try withRunner { runner throws(JobError) in try body(CleanupStore(runner: runner)) }
    }
}
