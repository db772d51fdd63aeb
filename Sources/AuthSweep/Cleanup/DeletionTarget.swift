import Postgres

/// A set of rows one cleanup removes: a table and the condition that makes a
/// row removable, as an SQL fragment with its own bound values.
struct DeletionTarget {
    let table: SQLIdentifier
    /// Boolean SQL on the table's columns, "now" computed once per statement.
    let condition: SQLQuery
    /// The same condition with "now" visible to the planner, for `EXPLAIN`.
    let planningCondition: SQLQuery

    /// The table's configured (unquoted) name, for logs and counts.
    var name: String { table.name }

    /// Rows older than `retentionSeconds` by `column`.
    static func olderThan(table: String, column: String, retentionSeconds: Int, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let quotedColumn = try catalog.quote(column)
        let clock = try catalog.clock(table: table, column: column)
        let condition = { (now: SQLQuery) -> SQLQuery in
            "\(quotedColumn) < \(now) - make_interval(secs => \(retentionSeconds)::double precision)"
        }
        return DeletionTarget(table: try catalog.quote(table), condition: condition(clock.now), planningCondition: condition(clock.nowForPlanning))
    }

    /// Rows whose expiry is now or past (`expires <= now`).
    static func expired(table: String, column: String, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let quotedColumn = try catalog.quote(column)
        let clock = try catalog.clock(table: table, column: column)
        return DeletionTarget(
            table: try catalog.quote(table),
            condition: "\(quotedColumn) <= \(clock.now)",
            planningCondition: "\(quotedColumn) <= \(clock.nowForPlanning)"
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
            table: expired.table,
            condition: "(\(expired.condition) OR \(revoked) IS NOT NULL)",
            planningCondition: "(\(expired.planningCondition) OR \(revoked) IS NOT NULL)"
        )
    }
}
