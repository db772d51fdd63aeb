import Postgres

/// When a row of the session table is expired, resolved against the
/// database: its rule column, the column's clock, and the boundary it is
/// compared with. A row is expired when `column <= boundary` and active
/// when `column > boundary`; a NULL never matches either (such a row can
/// never expire, and `--explain` reports it). The boundary is now for an
/// expiry column, and now minus `session.lifetime_minutes` for a
/// last-activity column (Laravel, Rails). With `session.max_age_minutes`
/// a row created longer ago than that is expired too, whatever its
/// activity (an absolute timeout).
struct SessionRule {
    let tableName: String
    let columnName: String
    let table: SQLIdentifier
    let column: SQLIdentifier
    let clock: ColumnClock
    /// How long after the column's moment a row stops being active: 0 for an expiry column.
    let lifetimeSeconds: Int
    /// The absolute lifetime, by the table's creation column.
    let maximumAge: MaximumAge?

    /// `session.max_age_minutes` on a table's creation column.
    struct MaximumAge {
        let columnName: String
        let column: SQLIdentifier
        let clock: ColumnClock
        let seconds: Int
    }

    init(
        table tableName: String, column columnName: String, lifetimeMinutes: Int?, wallClockZone: String = "UTC",
        maximumAge: (column: String?, minutes: Int)? = nil, catalog: SchemaCatalog
    ) throws(JobError) {
        self.tableName = tableName
        self.columnName = columnName
        table = try catalog.quote(tableName)
        column = try catalog.quote(columnName)
        clock = try catalog.ruleClock(table: tableName, column: columnName, wallClockZone: wallClockZone)
        lifetimeSeconds = (lifetimeMinutes ?? 0) * 60
        if let maximumAge {
            guard let created = maximumAge.column, try catalog.columnType(table: tableName, column: created) != nil else {
                throw .schema(
                    "session.max_age_minutes needs the session table's creation column, and \"\(tableName)\" has no \(maximumAge.column.map { "column \"\($0)\"" } ?? "such column"): name it with session.created_at, or remove session.max_age_minutes"
                )
            }
            self.maximumAge = MaximumAge(
                columnName: created, column: try catalog.quote(created),
                clock: try catalog.clock(table: tableName, column: created, wallClockZone: wallClockZone), seconds: maximumAge.minutes * 60)
        } else {
            self.maximumAge = nil
        }
    }

    /// The configured session table's rule.
    init(configuration: Configuration, catalog: SchemaCatalog) throws(JobError) {
        try self.init(
            table: configuration.tables.session, column: configuration.tables.sessionExpires,
            lifetimeMinutes: configuration.effectiveSessionLifetimeMinutes, wallClockZone: configuration.sessionColumnTimeZone,
            maximumAge: configuration.sessionMaxAgeMinutes.map { (configuration.tables.sessionCreatedAt, $0) }, catalog: catalog)
    }

    /// Computed once per statement.
    var boundary: SQLQuery { clock.secondsAgo(lifetimeSeconds) }

    /// Rows past the rule now (kept or not): the stats' expired.
    var expired: SQLQuery { expired(retentionSeconds: 0, planning: false) }

    /// Rows inside the rule now: the stats' active. A NULL is neither.
    var active: SQLQuery {
        guard let maximumAge else { return "\(column) > \(boundary)" }
        return "(\(column) > \(boundary) AND \(maximumAge.column) > \(maximumAge.clock.secondsAgo(maximumAge.seconds)))"
    }

    /// When a row expires, as a `timestamptz`: a lifetime after its last
    /// activity, or its expiry; at the latest its maximum age.
    var expiry: SQLQuery {
        let byRule: SQLQuery =
            lifetimeSeconds == 0
            ? clock.instant(column) : "(\(clock.instant(column)) + make_interval(secs => \(lifetimeSeconds)::double precision))"
        guard let maximumAge else { return byRule }
        return "least(\(byRule), \(maximumAge.clock.instant(maximumAge.column)) + make_interval(secs => \(maximumAge.seconds)::double precision))"
    }

    /// Rows expired and past the retention too.
    private func expired(retentionSeconds: Int, planning: Bool) -> SQLQuery {
        func ago(_ clock: ColumnClock, _ seconds: Int) -> SQLQuery {
            planning ? clock.secondsAgoForPlanning(seconds) : clock.secondsAgo(seconds)
        }
        let byRule: SQLQuery = "\(column) <= \(ago(clock, lifetimeSeconds + retentionSeconds))"
        guard let maximumAge else { return byRule }
        return "(\(byRule) OR \(maximumAge.column) <= \(ago(maximumAge.clock, maximumAge.seconds + retentionSeconds)))"
    }

    /// Rows to delete: expired, and past the retention too.
    func deletionTarget(retentionSeconds: Int) -> DeletionTarget {
        DeletionTarget(
            table: table,
            condition: expired(retentionSeconds: retentionSeconds, planning: false),
            planningCondition: expired(retentionSeconds: retentionSeconds, planning: true),
            partitionCutoff: .init(column: columnName, clock: clock, moment: clock.secondsAgo(lifetimeSeconds + retentionSeconds))
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
        if let maximumAge {
            text += ", or \(tableName).\(maximumAge.columnName) (created) <= now - \(Self.span(maximumAge.seconds))"
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
