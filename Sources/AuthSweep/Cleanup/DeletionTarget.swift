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
        return DeletionTarget(
            table: try catalog.quote(table),
            condition: "\(quotedColumn) < \(clock.secondsAgo(retentionSeconds))",
            planningCondition: "\(quotedColumn) < \(clock.secondsAgoForPlanning(retentionSeconds))")
    }

    /// Rows that are expired or revoked, each kept for its retention past
    /// that moment (`session.expired_retention_hours`,
    /// `session.revoked_retention_hours`: refresh-token reuse detection
    /// looks for revoked rows a while).
    static func expiredOrRevoked(
        table: String, expiresColumn: String, revokedColumn: String, expiredRetentionSeconds: Int = 0, revokedRetentionSeconds: Int = 0,
        catalog: SchemaCatalog
    ) throws(JobError) -> DeletionTarget {
        let expires = try catalog.quote(expiresColumn)
        let expiresClock = try catalog.clock(table: table, column: expiresColumn)
        let revoked = try catalog.quote(revokedColumn)
        guard try catalog.columnType(table: table, column: revokedColumn) != nil else {
            throw .schema("column \"\(revokedColumn)\" of table \"\(table)\" does not exist")
        }
        // Without a retention any revoked row goes, as before (also one
        // revoked "in the future"), whatever the column's type; with one,
        // the column must be a timestamp.
        let revokedClock = revokedRetentionSeconds == 0 ? nil : try catalog.clock(table: table, column: revokedColumn)
        func condition(_ moment: (ColumnClock, Int) -> SQLQuery) -> SQLQuery {
            let expired: SQLQuery = "\(expires) <= \(moment(expiresClock, expiredRetentionSeconds))"
            guard let revokedClock else { return "(\(expired) OR \(revoked) IS NOT NULL)" }
            return "(\(expired) OR \(revoked) <= \(moment(revokedClock, revokedRetentionSeconds)))"
        }
        return DeletionTarget(
            table: try catalog.quote(table),
            condition: condition { $0.secondsAgo($1) },
            planningCondition: condition { $0.secondsAgoForPlanning($1) }
        )
    }
}
