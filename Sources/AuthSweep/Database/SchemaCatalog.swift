import Postgres

/// Per-connection knowledge of the configured tables: identifiers quoted by
/// libpq, and the clock of each timestamp column.
final class SchemaCatalog {
    private let connection: PGConnection
    private var identifiers: [String: SQLIdentifier] = [:]
    private var columnTypes: [String: String] = [:]

    init(connection: PGConnection) {
        self.connection = connection
    }

    /// `name` quoted as an identifier (cached).
    func quote(_ name: String) throws(JobError) -> SQLIdentifier {
        if let identifier = identifiers[name] { return identifier }
        do {
            let identifier = try connection.identifier(name)
            identifiers[name] = identifier
            return identifier
        } catch {
            throw .database(error)
        }
    }

    /// The column's SQL type as `format_type` prints it, or `nil` when the
    /// table or the column does not exist.
    func columnType(table: String, column: String) throws(JobError) -> String? {
        let key = table + "\u{0}" + column
        if let type = columnTypes[key] { return type }
        let quotedTable = try quote(table)
        let result: PGResult
        do {
            result = try connection.query(
                """
                SELECT format_type(a.atttypid, a.atttypmod)
                FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = to_regclass(\(quotedTable.quoted)) AND a.attname = \(column) AND a.attnum > 0 AND NOT a.attisdropped
                """
            )
        } catch {
            throw .database(error)
        }
        guard let type = result.value() else { return nil }
        columnTypes[key] = type
        return type
    }

    /// The clock of a timestamp column; a missing column, or one that is
    /// not a timestamp, is a schema error that names it.
    func clock(table: String, column: String) throws(JobError) -> ColumnClock {
        try clock(table: table, column: column, kind: "a timestamp", ColumnClock.init(sqlType:))
    }

    /// The clock of a session table's rule column, which may also be an
    /// integer of Unix seconds.
    func ruleClock(table: String, column: String) throws(JobError) -> ColumnClock {
        try clock(table: table, column: column, kind: "a timestamp or Unix seconds (integer)", ColumnClock.init(ruleColumnType:))
    }

    private func clock(table: String, column: String, kind: String, _ clock: (String) -> ColumnClock?) throws(JobError) -> ColumnClock {
        guard let type = try columnType(table: table, column: column) else {
            throw .schema("column \"\(column)\" of table \"\(table)\" does not exist")
        }
        guard let clock = clock(type) else {
            throw .schema("column \"\(column)\" of table \"\(table)\" is \(type), not \(kind)")
        }
        return clock
    }

    /// Whether this connection's role may read and delete rows of the table.
    func mayReadAndDelete(_ table: String) throws(JobError) -> Bool {
        let quoted = try quote(table)
        do {
            return try connection.query(
                "SELECT has_table_privilege(\(quoted.quoted), 'SELECT') AND has_table_privilege(\(quoted.quoted), 'DELETE')"
            ).value() == "t"
        } catch {
            throw .database(error)
        }
    }

    /// Whether authsweep uses `table`, the `"User"` or `"AuditLog"` of the
    /// configuration: the Auth.js Prisma schema (the contract's) always has
    /// them, so they must be there; another framework's database uses them
    /// only where they exist.
    func uses(_ table: String, under configuration: Configuration) throws(JobError) -> Bool {
        if configuration.sessionPreset == .authjsPrisma { return true }
        return try tableExists(table)
    }

    /// Whether the table exists.
    func tableExists(_ table: String) throws(JobError) -> Bool {
        let quoted = try quote(table)
        do {
            return try connection.query("SELECT to_regclass(\(quoted.quoted)) IS NOT NULL").value() == "t"
        } catch {
            throw .database(error)
        }
    }
}
