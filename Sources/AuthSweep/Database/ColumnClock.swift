import Postgres

/// Which clock a time column keeps, and so what "now" it is compared with:
/// a `timestamptz` column with `now()`; a `timestamp without time zone`
/// column with the wall clock of the zone it was written in (UTC, as
/// Prisma writes it, unless `session.column_time_zone` says otherwise),
/// whatever the session's TimeZone is; an integer column of Unix seconds
/// (Laravel's `last_activity`) with the seconds since the epoch.
///
/// Moments are moved in absolute time and only then turned into the
/// column's wall time, so a rule over a local-time column holds across a
/// daylight-saving change: never a fixed offset.
enum ColumnClock: Equatable {
    /// `timestamp with time zone`.
    case zoned
    /// `timestamp without time zone` holding the wall time of `zone`, an
    /// IANA name.
    case wallClock(zone: String)
    /// `integer` or `bigint` seconds since 1970-01-01 UTC.
    case unixSeconds

    /// A `timestamp without time zone` column holding UTC: the contract's.
    static let utcWallClock = ColumnClock.wallClock(zone: "UTC")

    /// The column's clock from its SQL type (`format_type`), or `nil` for a
    /// type that is not a timestamp; a zone-less column holds the wall time
    /// of `zone`.
    init?(sqlType: String, wallClockZone zone: String = "UTC") {
        switch sqlType {
        case let zoned where zoned.hasPrefix("timestamp") && zoned.hasSuffix(" with time zone"):
            self = .zoned
        case let plain where plain.hasPrefix("timestamp"):
            self = .wallClock(zone: zone)
        default:
            return nil
        }
    }

    /// A session table's rule column may also count Unix seconds.
    init?(ruleColumnType sqlType: String, wallClockZone zone: String = "UTC") {
        switch sqlType {
        case "integer", "bigint": self = .unixSeconds
        default: self.init(sqlType: sqlType, wallClockZone: zone)
        }
    }

    /// The current time comparable with the column, computed once per
    /// statement (a sub-select).
    var now: SQLQuery { secondsAgo(0) }

    /// The moment `seconds` before now (after it, when negative),
    /// comparable with the column, computed once per statement.
    func secondsAgo(_ seconds: Int) -> SQLQuery {
        "(SELECT \(moment(secondsAgo: seconds)))"
    }

    /// The same moment written so that the planner can read it when it
    /// estimates how many rows a condition matches (a sub-select hides it),
    /// for `EXPLAIN`.
    func secondsAgoForPlanning(_ seconds: Int) -> SQLQuery {
        "(\(moment(secondsAgo: seconds)))"
    }

    private func moment(secondsAgo seconds: Int) -> SQLQuery {
        let instant: SQLQuery = seconds == 0 ? "now()" : "now() - make_interval(secs => \(seconds)::double precision)"
        switch self {
        case .zoned: return instant
        case .wallClock(let zone): return "(\(instant)) AT TIME ZONE \(Self.zoneName(zone))"
        case .unixSeconds:
            return seconds == 0 ? "floor(extract(epoch FROM now()))::bigint" : "floor(extract(epoch FROM now()))::bigint - \(seconds)::bigint"
        }
    }

    /// UTC spelled in the statement, any other zone bound as a value.
    private static func zoneName(_ zone: String) -> SQLQuery {
        zone == "UTC" ? "'UTC'" : "\(zone)::text"
    }

    /// The column's value as a `timestamptz`: the moment it stands for.
    func instant(_ column: SQLIdentifier) -> SQLQuery {
        switch self {
        case .zoned: "\(column)"
        case .wallClock(let zone): "(\(column) AT TIME ZONE \(Self.zoneName(zone)))"
        case .unixSeconds: "to_timestamp(\(column))"
        }
    }

    /// A `timestamptz` (see `instant`) as UTC ISO-8601 text with
    /// milliseconds, as `Timestamp.iso8601` prints it.
    static func isoText(_ instant: SQLQuery) -> SQLQuery {
        "to_char(\(instant) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// The column's SQL type, for a value of it written as text (a
    /// partition's bound): `timestamptz`, `timestamp` or `bigint`.
    var sqlType: SQLQuery {
        switch self {
        case .zoned: "timestamptz"
        case .wallClock: "timestamp"
        case .unixSeconds: "bigint"
        }
    }

    /// What the column holds, in words.
    var words: String {
        switch self {
        case .zoned: "timestamp with time zone"
        case .wallClock(let zone): "timestamp without time zone, holding \(zone == "UTC" ? "UTC" : "the wall time of \(zone)")"
        case .unixSeconds: "Unix seconds"
        }
    }
}
