import Postgres

/// Per-connection knowledge of the configured tables: identifiers quoted by
/// libpq, and the clock of each timestamp column. Names are looked up with
/// the search path every transaction sets (the application's schema).
final class SchemaCatalog {
    private let connection: PGConnection
    private let transactionSettings: [(name: String, value: String)]
    private var identifiers: [String: SQLIdentifier] = [:]
    private var columnTypes: [String: String] = [:]
    private var knownZones: Set<String> = []

    init(connection: PGConnection, transactionSettings: [(name: String, value: String)]) {
        self.connection = connection
        self.transactionSettings = transactionSettings
    }

    /// Runs a catalog query in the open transaction, or, where the
    /// transactions set a search path (the application's schema), in one of
    /// its own with their settings, so that names resolve as they will there.
    private func query(_ query: SQLQuery) throws(JobError) -> PGResult {
        try JobError.fromDatabase { () throws(PostgresError) in try catalogQuery(query) }
    }

    private func catalogQuery(_ query: SQLQuery) throws(PostgresError) -> PGResult {
        if connection.isInTransaction || !transactionSettings.contains(where: { $0.name == "search_path" }) { return try connection.query(query) }
        try connection.beginTransaction(localSettings: transactionSettings)
        do {
            let result = try connection.query(query)
            try connection.query("COMMIT")
            return result
        } catch {
            if connection.isUsable && connection.isInTransaction { _ = try? connection.query("ROLLBACK") }
            throw error
        }
    }

    /// `name` quoted as an identifier (cached). Two plain lowercase names
    /// joined by a dot (`auth.refresh_tokens`, an auth preset's) are a
    /// schema and a table, as SQL reads them unquoted.
    func quote(_ name: String) throws(JobError) -> SQLIdentifier {
        if let identifier = identifiers[name] { return identifier }
        let identifier = try JobError.fromDatabase { () throws(PostgresError) in
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, parts.allSatisfy(Self.isPlainName) else { return try connection.identifier(name) }
            return .qualified(schema: try connection.identifier(parts[0]), table: try connection.identifier(parts[1]))
        }
        identifiers[name] = identifier
        return identifier
    }

    private static func isPlainName(_ part: String) -> Bool {
        guard let first = part.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return part.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// The column's SQL type as `format_type` prints it, or `nil` when the
    /// table or the column does not exist.
    func columnType(table: String, column: String) throws(JobError) -> String? {
        let key = table + "\u{0}" + column
        if let type = columnTypes[key] { return type }
        let quotedTable = try quote(table)
        let result = try query(
            """
            SELECT format_type(a.atttypid, a.atttypmod)
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = to_regclass(\(quotedTable.quoted)) AND a.attname = \(column) AND a.attnum > 0 AND NOT a.attisdropped
            """
        )
        guard let type = result.value() else { return nil }
        columnTypes[key] = type
        return type
    }

    /// The clock of a timestamp column; a missing column, or one that is
    /// not a timestamp, is a schema error that names it.
    /// A zone-less column holds the wall time of `wallClockZone`.
    func clock(table: String, column: String, wallClockZone: String = "UTC") throws(JobError) -> ColumnClock {
        try clock(table: table, column: column, kind: "a timestamp") { ColumnClock(sqlType: $0, wallClockZone: wallClockZone) }
    }

    /// The clock of a session table's rule column, which may also be an
    /// integer of Unix seconds.
    func ruleClock(table: String, column: String, wallClockZone: String = "UTC") throws(JobError) -> ColumnClock {
        try clock(table: table, column: column, kind: "a timestamp or Unix seconds (integer)") {
            ColumnClock(ruleColumnType: $0, wallClockZone: wallClockZone)
        }
    }

    private func clock(table: String, column: String, kind: String, _ clock: (String) -> ColumnClock?) throws(JobError) -> ColumnClock {
        guard let type = try columnType(table: table, column: column) else {
            throw .schema("column \"\(column)\" of table \"\(table)\" does not exist")
        }
        guard let clock = clock(type) else {
            throw .schema("column \"\(column)\" of table \"\(table)\" is \(type), not \(kind)")
        }
        if case .wallClock(let zone) = clock { try requireKnownZone(zone) }
        return clock
    }

    /// The server must know the zone by name (its time zone database may
    /// differ from this host's, which the configuration checked).
    private func requireKnownZone(_ zone: String) throws(JobError) {
        guard zone != "UTC", !knownZones.contains(zone) else { return }
        let known = try query("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = \(zone))").value() == "t"
        guard known else {
            throw .invalidArgument("session.column_time_zone names a time zone the database server does not know: '\(zone)'")
        }
        knownZones.insert(zone)
    }

    /// Whether this connection's role may read and delete rows of the table.
    func mayReadAndDelete(_ table: String) throws(JobError) -> Bool {
        let quoted = try quote(table)
        return try query("SELECT has_table_privilege(\(quoted.quoted), 'SELECT') AND has_table_privilege(\(quoted.quoted), 'DELETE')").value() == "t"
    }

    /// Whether the table exists.
    func tableExists(_ table: String) throws(JobError) -> Bool {
        let quoted = try quote(table)
        return try query("SELECT to_regclass(\(quoted.quoted)) IS NOT NULL").value() == "t"
    }
}
