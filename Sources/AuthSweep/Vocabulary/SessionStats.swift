/// Session counts from one snapshot: `total == active + expired`.
public struct SessionStats: Sendable, Equatable {
    public var active: Int
    public var expired: Int
    public var timestamp: Timestamp

    public var total: Int { active + expired }

    public init(active: Int, expired: Int, timestamp: Timestamp) {
        self.active = active
        self.expired = expired
        self.timestamp = timestamp
    }
}

extension SessionStats {
    /// The stats answer, as the endpoint and `--json` give it.
    public var json: JSONValue {
        .object([
            ("success", .bool(true)),
            (
                "stats",
                .object([
                    ("total", .integer(total)),
                    ("active", .integer(active)),
                    ("expired", .integer(expired)),
                    ("timestamp", .string(timestamp.iso8601)),
                ])
            ),
        ])
    }
}
