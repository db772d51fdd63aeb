import Postgres

/// Which clock a time column keeps, and so what "now" it is compared with:
/// a `timestamptz` column with `now()`, a `timestamp without time zone`
/// column (which holds UTC) with the UTC wall clock, whatever the session's
/// TimeZone is, and an integer column of Unix seconds (Laravel's
/// `last_activity`) with the seconds since the epoch.
enum ColumnClock: Equatable {
    /// `timestamp with time zone`.
    case zoned
    /// `timestamp without time zone` holding UTC, as Prisma writes it.
    case utcWallClock
    /// `integer` or `bigint` seconds since 1970-01-01 UTC.
    case unixSeconds

    /// The column's clock from its SQL type (`format_type`), or `nil` for a
    /// type that is not a timestamp.
    init?(sqlType: String) {
        switch sqlType {
        case let zoned where zoned.hasPrefix("timestamp") && zoned.hasSuffix(" with time zone"):
            self = .zoned
        case let plain where plain.hasPrefix("timestamp"):
            self = .utcWallClock
        default:
            return nil
        }
    }

    /// A session table's rule column may also count Unix seconds.
    init?(ruleColumnType sqlType: String) {
        switch sqlType {
        case "integer", "bigint": self = .unixSeconds
        default: self.init(sqlType: sqlType)
        }
    }

    /// The current time comparable with the column, computed once per
    /// statement (a sub-select).
    var now: SQLQuery {
        switch self {
        case .zoned: "(SELECT now())"
        case .utcWallClock: "(SELECT now() AT TIME ZONE 'UTC')"
        case .unixSeconds: "(SELECT floor(extract(epoch FROM now()))::bigint)"
        }
    }

    /// The same value written so that the planner can read it when it
    /// estimates how many rows a condition matches (a sub-select hides it),
    /// for `EXPLAIN`.
    var nowForPlanning: SQLQuery {
        switch self {
        case .zoned: "now()"
        case .utcWallClock: "(now() AT TIME ZONE 'UTC')"
        case .unixSeconds: "floor(extract(epoch FROM now()))::bigint"
        }
    }

    /// `moment` (one of the two above) moved `seconds` into the past.
    func before(_ moment: SQLQuery, seconds: Int) -> SQLQuery {
        guard seconds != 0 else { return moment }
        switch self {
        case .zoned, .utcWallClock: return "(\(moment) - make_interval(secs => \(seconds)::double precision))"
        case .unixSeconds: return "(\(moment) - \(seconds)::bigint)"
        }
    }

    /// The column's value as seconds since the epoch (a double), for ages.
    func epochSeconds(_ column: SQLIdentifier) -> SQLQuery {
        switch self {
        case .zoned: "extract(epoch FROM \(column))"
        case .utcWallClock: "extract(epoch FROM \(column) AT TIME ZONE 'UTC')"
        case .unixSeconds: "\(column)::double precision"
        }
    }

    /// `value` (the column, or the column moved by `before`) as UTC
    /// ISO-8601 text with milliseconds, as `Timestamp.iso8601` prints it.
    func isoText(_ value: SQLQuery) -> SQLQuery {
        let utc: SQLQuery =
            switch self {
            case .zoned: "\(value) AT TIME ZONE 'UTC'"
            case .utcWallClock: "\(value)"
            case .unixSeconds: "to_timestamp(\(value)) AT TIME ZONE 'UTC'"
            }
        return "to_char(\(utc), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// What the column holds, in words.
    var words: String {
        switch self {
        case .zoned: "timestamp with time zone"
        case .utcWallClock: "timestamp without time zone, holding UTC"
        case .unixSeconds: "Unix seconds"
        }
    }
}
