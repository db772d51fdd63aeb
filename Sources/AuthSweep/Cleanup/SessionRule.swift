import Postgres

/// When a row of the session table is expired, resolved against the
/// database: its rule column, the column's clock, and the boundary it is
/// compared with. A row is expired when `column <= boundary` and active
/// when `column > boundary`; a NULL never matches either (such a row can
/// never expire, and `--explain` reports it). The boundary is now for an
/// expiry column, and now minus `session.lifetime_minutes` for a
/// last-activity column (Laravel, Rails).
struct SessionRule {
    let tableName: String
    let columnName: String
    let table: SQLIdentifier
    let column: SQLIdentifier
    let clock: ColumnClock
    /// How long after the column's moment a row stops being active: 0 for an expiry column.
    let lifetimeSeconds: Int

    init(table tableName: String, column columnName: String, lifetimeMinutes: Int?, catalog: SchemaCatalog) throws(JobError) {
        self.tableName = tableName
        self.columnName = columnName
        table = try catalog.quote(tableName)
        column = try catalog.quote(columnName)
        clock = try catalog.ruleClock(table: tableName, column: columnName)
        lifetimeSeconds = (lifetimeMinutes ?? 0) * 60
    }

    /// The configured session table's rule.
    init(configuration: Configuration, catalog: SchemaCatalog) throws(JobError) {
        try self.init(
            table: configuration.tables.session, column: configuration.tables.sessionExpires,
            lifetimeMinutes: configuration.effectiveSessionLifetimeMinutes, catalog: catalog)
    }

    /// Computed once per statement.
    var boundary: SQLQuery { clock.before(clock.now, seconds: lifetimeSeconds) }

    /// When a row expires: the column, or a lifetime after the last activity.
    var expiry: SQLQuery { clock.before("\(column)", seconds: -lifetimeSeconds) }

    /// The boundary a row must be past to be deleted: expired, and past the retention too.
    func deletionBoundary(retentionSeconds: Int) -> SQLQuery {
        clock.before(clock.now, seconds: lifetimeSeconds + retentionSeconds)
    }

    /// Rows to delete: `column <= deletionBoundary`.
    func deletionTarget(retentionSeconds: Int) -> DeletionTarget {
        DeletionTarget(
            table: table,
            condition: "\(column) <= \(deletionBoundary(retentionSeconds: retentionSeconds))",
            planningCondition: "\(column) <= \(clock.before(clock.nowForPlanning, seconds: lifetimeSeconds + retentionSeconds))"
        )
    }

    /// The rule in words, for `--explain` and `check`.
    func words(retentionSeconds: Int) -> String {
        var text: String
        if lifetimeSeconds == 0 {
            text = "\(tableName).\(columnName) (\(clock.words)) <= now"
        } else {
            text = "\(tableName).\(columnName) (last activity, \(clock.words)) <= now - \(Self.span(lifetimeSeconds))"
        }
        if retentionSeconds > 0 { text += ", kept \(Self.span(retentionSeconds)) more" }
        return text
    }

    /// `seconds` as the largest whole unit: "120 minutes", "30 days".
    static func span(_ seconds: Int) -> String {
        for (size, unit) in [(86_400, "day"), (3_600, "hour"), (60, "minute")] where seconds % size == 0 {
            let count = seconds / size
            return "\(count) \(unit)\(count == 1 ? "" : "s")"
        }
        return "\(seconds) seconds"
    }
}
