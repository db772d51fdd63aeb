/// A set of rows one cleanup removes: a table and the condition that makes a
/// row removable, as SQL over bound parameters `$1`...
struct DeletionTarget {
    /// The table's configured (unquoted) name, for logs and counts.
    let name: String
    let quotedTable: String
    /// Boolean SQL on the table's columns; values only as `$n` parameters.
    let condition: String
    let parameters: [String]

    /// Rows older than `retentionSeconds` by `column`.
    static func olderThan(table: String, column: String, retentionSeconds: Int, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let now = try catalog.currentTime(table: table, column: column)
        return DeletionTarget(
            name: table,
            quotedTable: try catalog.quote(table),
            condition: "\(try catalog.quote(column)) < \(now) - make_interval(secs => $1::double precision)",
            parameters: [String(retentionSeconds)]
        )
    }

    /// Rows whose expiry is now or past (`expires <= now`).
    static func expired(table: String, column: String, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let now = try catalog.currentTime(table: table, column: column)
        return DeletionTarget(
            name: table,
            quotedTable: try catalog.quote(table),
            condition: "\(try catalog.quote(column)) <= \(now)",
            parameters: []
        )
    }

    /// Rows that are expired or revoked.
    static func expiredOrRevoked(table: String, expiresColumn: String, revokedColumn: String, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let expired = try expired(table: table, column: expiresColumn, catalog: catalog)
        guard try catalog.columnType(table: table, column: revokedColumn) != nil else {
            throw .schema("column \"\(revokedColumn)\" of table \"\(table)\" does not exist")
        }
        return DeletionTarget(
            name: table,
            quotedTable: expired.quotedTable,
            condition: "(\(expired.condition) OR \(try catalog.quote(revokedColumn)) IS NOT NULL)",
            parameters: []
        )
    }

    /// The placeholder that follows this target's own parameters.
    var nextPlaceholder: String { "$\(parameters.count + 1)" }
}
