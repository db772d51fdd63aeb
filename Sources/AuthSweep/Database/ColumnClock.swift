import Postgres

/// Which clock a timestamp column keeps, and so what "now" it is compared
/// with: a `timestamptz` column with `now()`, a `timestamp without time
/// zone` column (which holds UTC) with the UTC wall clock, whatever the
/// session's TimeZone is.
enum ColumnClock: Equatable {
    /// `timestamp with time zone`.
    case zoned
    /// `timestamp without time zone` holding UTC, as Prisma writes it.
    case utcWallClock

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

    /// The current time comparable with the column, computed once per
    /// statement (a sub-select).
    var now: SQLQuery {
        switch self {
        case .zoned: "(SELECT now())"
        case .utcWallClock: "(SELECT now() AT TIME ZONE 'UTC')"
        }
    }

    /// The same value written so that the planner can read it when it
    /// estimates how many rows a condition matches (a sub-select hides it),
    /// for `EXPLAIN`.
    var nowForPlanning: SQLQuery {
        switch self {
        case .zoned: "now()"
        case .utcWallClock: "(now() AT TIME ZONE 'UTC')"
        }
    }

    /// `column` as UTC ISO-8601 text with milliseconds, as
    /// `Timestamp.iso8601` prints it.
    func isoText(_ column: SQLIdentifier) -> SQLQuery {
        let utc: SQLQuery = self == .zoned ? "\(column) AT TIME ZONE 'UTC'" : "\(column)"
        return "to_char(\(utc), 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}
