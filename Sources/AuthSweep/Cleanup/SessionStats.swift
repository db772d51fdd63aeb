/// Session counts from one snapshot: `total == active + expired`.
public struct SessionStats: Sendable, Equatable {
    public var active: Int
    public var expired: Int
    public var timestamp: Timestamp

    public var total: Int { active + expired }
}
