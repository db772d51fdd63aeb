import Postgres

/// Per-connection knowledge of the configured tables: identifiers quoted by
/// libpq, and the "now" expression that suits each timestamp column.
final class SchemaCatalog {
    private let connection: PGConnection
    private var quotedNames: [String: String] = [:]
    private var columnTypes: [String: String] = [:]

    init(connection: PGConnection) {
        self.connection = connection
    }

    /// `name` quoted as an identifier (cached).
    func quote(_ name: String) throws(JobError) -> String {
        if let quoted = quotedNames[name] { return quoted }
        do {
            let quoted = try connection.quoteIdentifier(name)
            quotedNames[name] = quoted
            return quoted
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
                WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped
                """,
                [quotedTable, column]
            )
        } catch {
            throw .database(error)
        }
        guard let type = result.value() else { return nil }
        columnTypes[key] = type
        return type
    }

    /// The current time as a value comparable with `column`, computed once
    /// per statement: `now()` for `timestamptz`, and the UTC wall clock for a
    /// `timestamp without time zone` column (which holds UTC), whatever the
    /// session's TimeZone is.
    ///
    /// With `forPlanning`, the same value written so that the planner can
    /// read it when it estimates how many rows a condition matches (a
    /// sub-select hides it), for `EXPLAIN`.
    func currentTime(table: String, column: String, forPlanning: Bool = false) throws(JobError) -> String {
        guard let type = try columnType(table: table, column: column) else {
            throw .schema("column \"\(column)\" of table \"\(table)\" does not exist")
        }
        switch type {
        case let zoned where zoned.hasPrefix("timestamp") && zoned.hasSuffix("with time zone") && !zoned.hasSuffix("without time zone"):
            return forPlanning ? "now()" : "(SELECT now())"
        case let plain where plain.hasPrefix("timestamp"):
            return forPlanning ? "(now() AT TIME ZONE 'UTC')" : "(SELECT now() AT TIME ZONE 'UTC')"
        default:
            throw .schema("column \"\(column)\" of table \"\(table)\" is \(type), not a timestamp")
        }
    }

    /// SQL that prints `column` as UTC ISO-8601 text with milliseconds, as
    /// `Timestamp.iso8601` does.
    func isoText(table: String, column: String) throws(JobError) -> String {
        let zoneless = try currentTime(table: table, column: column).contains("UTC")
        let value = try quote(column) + (zoneless ? "" : " AT TIME ZONE 'UTC'")
        return "to_char(\(value), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}
