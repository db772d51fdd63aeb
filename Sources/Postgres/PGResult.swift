internal import CLibPQ

/// The rows of one finished statement, copied out of libpq's `PGresult`.
///
/// Values are kept in libpq's text format; the result owns no C memory, so it
/// can outlive the statement and cross threads.
public struct PGResult: Sendable {
    /// Row values as text; `nil` is SQL NULL.
    public let rows: [[String?]]
    /// Rows affected by INSERT/UPDATE/DELETE (`PQcmdTuples`), 0 otherwise.
    public let affectedRows: Int

    init(copying result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column in
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
                return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// The text of `column` in `row`, or `nil` for NULL or out of range.
    public func value(row: Int = 0, column: Int = 0) -> String? {
        guard row < rows.count, column < rows[row].count else { return nil }
        return rows[row][column]
    }

    /// `value(row:column:)` read as an integer.
    public func int(row: Int = 0, column: Int = 0, function: String = #function) throws(PostgresError) -> Int {
        guard let text = value(row: row, column: column), let number = Int(text) else {
            throw PostgresError(kind: .unexpectedResult, detail: "expected an integer at row \(row) column \(column)", location: function)
        }
        return number
    }

    /// `value(row:column:)` read as a PostgreSQL boolean (`t`/`f`).
    public func bool(row: Int = 0, column: Int = 0, function: String = #function) throws(PostgresError) -> Bool {
        switch value(row: row, column: column) {
        case "t": return true
        case "f": return false
        default:
            throw PostgresError(kind: .unexpectedResult, detail: "expected a boolean at row \(row) column \(column)", location: function)
        }
    }
}
