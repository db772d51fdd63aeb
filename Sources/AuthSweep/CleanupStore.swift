import Postgres

/// The SQL of the cleanups and the stats, run on one connection.
struct CleanupStore {
    /// First half of every advisory-lock key authsweep takes ('aswp').
    static let lockNamespace: Int32 = 0x6173_7770

    let connection: PGConnection
    let catalog: SchemaCatalog

    /// Takes the job's session-level advisory lock if nobody holds it;
    /// never waits. The server releases it if this connection dies.
    func tryLock(_ kind: CleanupKind) throws(JobError) -> Bool {
        try run("SELECT pg_try_advisory_lock($1::int, $2::int)", [String(Self.lockNamespace), String(kind.lockKey)]).bool()
    }

    func unlock(_ kind: CleanupKind) throws(JobError) {
        try run("SELECT pg_advisory_unlock($1::int, $2::int)", [String(Self.lockNamespace), String(kind.lockKey)])
    }

    /// Deletes up to `limit` rows of `target` in one statement (its own
    /// transaction). The rows are picked by their ctid and the condition is
    /// checked again in the DELETE: a row updated meanwhile (a session
    /// refreshed) is a new row version, which neither the picked ctid nor, on
    /// re-evaluation, the condition matches, so it is left alone. (No FOR
    /// UPDATE: locking every row first doubled the heap writes.)
    /// - Returns: how many rows were picked and how many were deleted.
    func deleteBatch(_ target: DeletionTarget, limit: Int) throws(JobError) -> (picked: Int, deleted: Int) {
        let sql = """
            WITH picked AS (
                SELECT ctid FROM \(target.quotedTable)
                WHERE \(target.condition)
                LIMIT \(target.nextPlaceholder)::int
            ), deleted AS (
                DELETE FROM \(target.quotedTable)
                WHERE ctid = ANY(ARRAY(SELECT ctid FROM picked)) AND \(target.condition)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM picked), (SELECT count(*) FROM deleted)
            """
        let result = try run(sql, target.parameters + [String(limit)])
        return (try integer(result, column: 0), try integer(result, column: 1))
    }

    /// How many rows of `target` are removable now.
    func count(_ target: DeletionTarget) throws(JobError) -> Int {
        try integer(run("SELECT count(*) FROM \(target.quotedTable) WHERE \(target.condition)", target.parameters), column: 0)
    }

    /// Whether any row of `target` is removable now.
    func hasRows(_ target: DeletionTarget) throws(JobError) -> Bool {
        try run("SELECT EXISTS (SELECT 1 FROM \(target.quotedTable) WHERE \(target.condition))", target.parameters).bool()
    }

    /// Active (`expires > now`) and expired (`expires <= now`) sessions, from one snapshot.
    func sessionCounts(table: String, expiresColumn: String) throws(JobError) -> (active: Int, expired: Int) {
        let now = try catalog.currentTime(table: table, column: expiresColumn)
        let expires = try catalog.quote(expiresColumn)
        let result = try run(
            """
            SELECT count(*) FILTER (WHERE \(expires) > \(now)), count(*) FILTER (WHERE \(expires) <= \(now))
            FROM \(try catalog.quote(table))
            """
        )
        return (try integer(result, column: 0), try integer(result, column: 1))
    }

    @discardableResult
    func run(_ sql: String, _ parameters: [String?] = [], function: String = #function) throws(JobError) -> PGResult {
        do {
            return try connection.query(sql, parameters, function: function)
        } catch {
            throw .database(error)
        }
    }

    private func integer(_ result: PGResult, column: Int) throws(JobError) -> Int {
        do { return try result.int(column: column) } catch { throw .database(error) }
    }
}

extension PGResult {
    fileprivate func bool() throws(JobError) -> Bool {
        do { return try bool(row: 0, column: 0) } catch { throw .database(error) }
    }
}

extension CleanupStore {
    /// Runs `body` inside one transaction, rolled back if it throws.
    func inTransaction<Result>(_ body: () throws(JobError) -> Result) throws(JobError) -> Result {
        try run("BEGIN")
        do throws(JobError) {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            if connection.isUsable { _ = try? run("ROLLBACK") }
            throw error
        }
    }
}
