import Postgres

/// What `check` can see of a session table whose zone-less rule column
/// holds another zone's wall time than authsweep reads it in: the newest
/// values lie a whole number of hours (quarter hours, for some zones) off
/// what the rule implies: a last activity of now, an expiry a whole number
/// of days from now (a session just made or refreshed). A last activity in
/// the future is certain; anything in the past is likely (the application
/// may have had no session for that long) and is said as such.
struct ColumnTimeZoneCheck {
    let rule: SessionRule
    let configuredZone: String

    /// How far off the newest value may be before it counts: a clock's drift and a request's time.
    static let tolerance = 120.0

    /// The nearest newest expiry that can tell a zone from a lifetime: a
    /// whole day less the farthest a zone lies behind UTC (12 hours), less
    /// the tolerance. Nearer, a lifetime under a day looks like a zone.
    static let shortestTellingExpiry = 86_400.0 - 12 * 3_600 - tolerance

    func findings(_ runner: TransactionRunner) throws(JobError) -> [InstallationCheck.Finding] {
        let column = "\"\(rule.tableName)\".\"\(rule.columnName)\""
        guard case .wallClock = rule.clock else {
            guard configuredZone != "UTC" else { return [] }
            return [
                InstallationCheck.Finding(
                    level: .warning,
                    message:
                        "session.column_time_zone is \(configuredZone), but \(column) is \(rule.clock.words), which fixes the moment itself: the setting is not used",
                    fix: "remove session.column_time_zone")
            ]
        }
        let newest = try runner.run(
            """
            SELECT extract(epoch FROM max(\(rule.clock.instant(rule.column))) - now())::double precision,
                   extract(epoch FROM (now() AT TIME ZONE \(configuredZone)::text) - (now() AT TIME ZONE 'UTC'))::integer
            FROM \(rule.table)
            """)
        guard let ahead = newest.value().flatMap(Double.init), let offsetFromUTC = newest.value(column: 1).flatMap(Int.init) else { return [] }
        let lastActivity = rule.lifetimeSeconds > 0
        // An expiry less than a day and a zone's offset ahead may be a lifetime under a day: nothing to tell.
        guard lastActivity || ahead >= Self.shortestTellingExpiry else { return [] }
        // An expiry lies a whole number of days ahead when a session was just made or refreshed.
        let offset = lastActivity ? ahead : ahead - (ahead / 86_400).rounded() * 86_400
        let quarterHours = (offset / 900).rounded()
        guard quarterHours != 0, abs(offset - quarterHours * 900) <= Self.tolerance, abs(quarterHours) <= 14 * 4 else { return [] }
        let shift = Int(quarterHours) * 900
        let zones = try runner.run(
            """
            SELECT name FROM pg_catalog.pg_timezone_names
            WHERE utc_offset = make_interval(secs => \(shift + offsetFromUTC)::double precision)
              AND name ~ '^(Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)/' ORDER BY name LIMIT 3
            """
        ).rows.compactMap { $0.first ?? nil }
        // An offset no zone has is a quiet table's chance, not a zone.
        guard !zones.isEmpty else { return [] }
        let zoneOffset = Self.offsetWords(shift + offsetFromUTC)
        let reading = configuredZone == "UTC" ? "UTC" : "the wall time of \(configuredZone)"
        let span = SessionRule.span(abs(shift))
        let position =
            lastActivity
            ? (shift > 0 ? "\(span) in the future" : "\(span) in the past, to the minute")
            : (shift > 0 ? "\(span) beyond a whole number of days from now" : "\(span) short of a whole number of days from now")
        let consequence =
            shift > 0
            ? "sessions are deleted \(span) late"
            : "live sessions are deleted up to \(span) early (unless no session was \(lastActivity ? "active" : "made or refreshed") in the last \(span))"
        let message =
            "the newest \(column) lies \(position), read as \(reading): the application \(lastActivity && shift > 0 ? "writes" : "likely writes") the wall time of a zone at UTC\(zoneOffset), and then \(consequence)"
        return [
            InstallationCheck.Finding(
                level: .warning, message: message,
                fix:
                    "set session.column_time_zone to the zone the application's server runs in\(zones.isEmpty ? "" : " (at UTC\(zoneOffset) now: \(zones.joined(separator: ", ")), ...)")"
            )
        ]
    }

    /// `+02:00`, `-05:00`, `+05:30`.
    static func offsetWords(_ seconds: Int) -> String {
        let minutes = abs(seconds) / 60
        let text = "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
        return (seconds < 0 ? "-" : "+") + (minutes / 60 < 10 ? "0" : "") + text
    }
}
