import Postgres

/// Runs statements on one connection, each in a transaction that sets its
/// own timeouts (`SET LOCAL`): either the caller's (`inTransaction`) or one
/// made for that statement alone. Nothing is set for the session, so behind
/// a transaction-mode pooler no setting reaches the application's
/// transactions on a shared server connection. What every part of the
/// domain that reads or writes the database goes through.
struct TransactionRunner {
    let connection: PGConnection
    let catalog: SchemaCatalog
    /// `statement_timeout`, `lock_timeout` and `idle_in_transaction_session_timeout`.
    let transactionSettings: [(name: String, value: String)]

    /// Runs one statement: in the open transaction, or in one of its own.
    @discardableResult
    func run(_ query: SQLQuery, function: String = #function) throws(JobError) -> PGResult {
        if connection.isInTransaction { return try execute(query, function: function) }
        return try inTransaction { () throws(JobError) in try execute(query, function: function) }
    }

    /// Runs `body` inside one transaction with the timeouts set for it
    /// alone, rolled back if it throws. `asynchronousCommit`: the commit does
    /// not wait for the WAL flush. Cleanup batches need not: a deletion lost
    /// in a server crash leaves a row that is still removable, and the next
    /// run deletes it; not waiting saves one disk flush per batch.
    /// `lockWait`: `lock_timeout` at most this long (0, no limit, counts as longer).
    func inTransaction<Result>(
        asynchronousCommit: Bool = false, lockWait: Duration? = nil, _ body: () throws(JobError) -> Result
    ) throws(JobError) -> Result {
        precondition(!connection.isInTransaction, "transactions do not nest")
        var settings = transactionSettings + (asynchronousCommit ? [("synchronous_commit", "off")] : [])
        if let lockWait, let index = settings.firstIndex(where: { $0.name == "lock_timeout" }) {
            let configured = Int(settings[index].value) ?? 0
            let wait = Int(lockWait / .milliseconds(1))
            settings[index].value = String(configured == 0 ? wait : min(configured, wait))
        }
        try JobError.fromDatabase { () throws(PostgresError) in try connection.beginTransaction(localSettings: settings) }
        do throws(JobError) {
            let result = try body()
            _ = try execute("COMMIT", function: #function)
            return result
        } catch {
            if connection.isUsable && connection.isInTransaction { _ = try? execute("ROLLBACK", function: #function) }
            throw error
        }
    }

    /// Runs one statement outside any transaction, without the settings the
    /// transactions carry (no timeouts, no search path: name everything
    /// with its schema): for what PostgreSQL refuses in a transaction block,
    /// `DETACH PARTITION ... CONCURRENTLY`.
    @discardableResult
    func runOutsideTransaction(_ query: SQLQuery, function: String = #function) throws(JobError) -> PGResult {
        precondition(!connection.isInTransaction, "a statement outside a transaction cannot run inside one")
        return try execute(query, function: function)
    }

    private func execute(_ query: SQLQuery, function: String) throws(JobError) -> PGResult {
        try JobError.fromDatabase { () throws(PostgresError) in try connection.query(query, function: function) }
    }

    /// `column` of the first row as an integer; a malformed value is a database error.
    static func integer(_ result: PGResult, column: Int) throws(JobError) -> Int {
        try JobError.fromDatabase { () throws(PostgresError) in try result.int(column: column) }
    }
}

extension PGResult {
    /// The first row's first column as a boolean; a malformed value is a database error.
    func firstBool() throws(JobError) -> Bool {
        try JobError.fromDatabase { () throws(PostgresError) in try bool(row: 0, column: 0) }
    }
}
