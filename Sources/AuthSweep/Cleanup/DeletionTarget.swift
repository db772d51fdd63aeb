/// A set of rows one cleanup removes: a table and the condition that makes a
/// row removable, as SQL over bound parameters `$1`...
struct DeletionTarget {
    /// The table's configured (unquoted) name, for logs and counts.
    let name: String
    let quotedTable: String
    /// Boolean SQL on the table's columns; values only as `$n` parameters.
    let condition: String
    /// The same condition with "now" visible to the planner, for `EXPLAIN`.
    let planningCondition: String
    let parameters: [String]

    /// Rows older than `retentionSeconds` by `column`.
    static func olderThan(table: String, column: String, retentionSeconds: Int, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let quotedColumn = try catalog.quote(column)
        let condition = { (now: String) in "\(quotedColumn) < \(now) - make_interval(secs => $1::double precision)" }
        return DeletionTarget(
            name: table,
            quotedTable: try catalog.quote(table),
            condition: condition(try catalog.currentTime(table: table, column: column)),
            planningCondition: condition(try catalog.currentTime(table: table, column: column, forPlanning: true)),
            parameters: [String(retentionSeconds)]
        )
    }

    /// Rows whose expiry is now or past (`expires <= now`).
    static func expired(table: String, column: String, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let quotedColumn = try catalog.quote(column)
        return DeletionTarget(
            name: table,
            quotedTable: try catalog.quote(table),
            condition: "\(quotedColumn) <= \(try catalog.currentTime(table: table, column: column))",
            planningCondition: "\(quotedColumn) <= \(try catalog.currentTime(table: table, column: column, forPlanning: true))",
            parameters: []
        )
    }

    /// Rows that are expired or revoked.
    static func expiredOrRevoked(table: String, expiresColumn: String, revokedColumn: String, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let expired = try expired(table: table, column: expiresColumn, catalog: catalog)
        guard try catalog.columnType(table: table, column: revokedColumn) != nil else {
            throw .schema("column \"\(revokedColumn)\" of table \"\(table)\" does not exist")
        }
        let revoked = try catalog.quote(revokedColumn)
        return DeletionTarget(
            name: table,
            quotedTable: expired.quotedTable,
            condition: "(\(expired.condition) OR \(revoked) IS NOT NULL)",
            planningCondition: "(\(expired.planningCondition) OR \(revoked) IS NOT NULL)",
            parameters: []
        )
    }

    /// The placeholder of the `n`th value bound after this target's own
    /// parameters (`n` from 1).
    func placeholder(after n: Int) -> String { "$\(parameters.count + n)" }
}
