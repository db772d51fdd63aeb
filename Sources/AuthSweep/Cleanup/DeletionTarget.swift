import Postgres

/// A set of rows one cleanup removes: a table and the condition that makes a
/// row removable, as an SQL fragment with its own bound values.
struct DeletionTarget {
    let table: SQLIdentifier
    /// Boolean SQL on the table's columns, "now" computed once per statement.
    let condition: SQLQuery
    /// The same condition with "now" visible to the planner, for `EXPLAIN`.
    let planningCondition: SQLQuery

    /// Where the condition holds for every row below a moment of one
    /// column, whatever its other columns: what lets a partition whose
    /// range on that column ends by then go whole.
    let partitionCutoff: PartitionCutoff?

    /// The table's configured (unquoted) name, for logs and counts.
    var name: String { table.name }

    /// Every row whose `column` is before `moment` is removable.
    struct PartitionCutoff {
        /// The column's name, unquoted, as the catalog lists it.
        let column: String
        let clock: ColumnClock
        /// Comparable with the column, computed once per statement.
        let moment: SQLQuery
    }

    /// Rows older than `retentionSeconds` by `column`.
    static func olderThan(table: String, column: String, retentionSeconds: Int, catalog: SchemaCatalog) throws(JobError) -> DeletionTarget {
        let quotedColumn = try catalog.quote(column)
        let clock = try catalog.clock(table: table, column: column)
        return DeletionTarget(
            table: try catalog.quote(table),
            condition: "\(quotedColumn) < \(clock.secondsAgo(retentionSeconds))",
            planningCondition: "\(quotedColumn) < \(clock.secondsAgoForPlanning(retentionSeconds))",
            partitionCutoff: PartitionCutoff(column: column, clock: clock, moment: clock.secondsAgo(retentionSeconds)))
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
            planningCondition: condition { $0.secondsAgoForPlanning($1) },
            partitionCutoff: PartitionCutoff(column: expiresColumn, clock: expiresClock, moment: expiresClock.secondsAgo(expiredRetentionSeconds))
        )
    }
}
