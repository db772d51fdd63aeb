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

    /// Rows of other tables whose foreign keys refer to a removable row
    /// without `ON DELETE` (Django's, whose cascades the ORM does): the
    /// statement that deletes the row deletes them, or clears their
    /// reference, as the framework's own cleanup does.
    var dependents: [Dependent] = []

    /// A foreign key to the target's rows, and what becomes of the rows
    /// holding it when the row they refer to is deleted.
    struct Dependent {
        enum Action {
            /// They are deleted with it (`on_delete=CASCADE`).
            case delete
            /// Their reference is set to NULL (`on_delete=SET_NULL`).
            case clearReference
        }
        let table: SQLIdentifier
        let column: SQLIdentifier
        /// The target's column that `column` holds.
        let referenced: SQLIdentifier
        let action: Action
    }

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

    /// `deleted AS (DELETE FROM <target> WHERE <filter> RETURNING ...)`,
    /// followed by one more common table expression for each of its
    /// dependents, which deletes (or clears the reference of) the
    /// rows referring to the rows deleted: in one statement, so that they
    /// go exactly with the rows that go, and the foreign keys, checked at
    /// the statement's end or the transaction's, hold.
    func deletion(where filter: SQLQuery) -> SQLQuery {
        guard !dependents.isEmpty else { return "deleted AS (DELETE FROM \(table) WHERE \(filter) RETURNING 1)" }
        let returning = SQLQuery.joined(
            dependents.enumerated().map { index, dependent in "\(dependent.referenced) AS \(unsafeSQL: "key\(index)")" }, separator: ", ")
        var parts: [SQLQuery] = ["deleted AS (DELETE FROM \(table) WHERE \(filter) RETURNING \(returning))"]
        for (index, dependent) in dependents.enumerated() {
            let name: SQLQuery = "\(unsafeSQL: "dependent\(index)")", key: SQLQuery = "\(unsafeSQL: "key\(index)")"
            switch dependent.action {
            case .delete:
                parts.append("\(name) AS (DELETE FROM \(dependent.table) WHERE \(dependent.column) IN (SELECT \(key) FROM deleted))")
            case .clearReference:
                parts.append(
                    "\(name) AS (UPDATE \(dependent.table) SET \(dependent.column) = NULL WHERE \(dependent.column) IN (SELECT \(key) FROM deleted))")
            }
        }
        return .joined(parts, separator: ", ")
    }
}
