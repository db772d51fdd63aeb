/// The jobs reachable over HTTP.
public enum Endpoint: String, Sendable, CaseIterable {
    case cleanupAuth = "cleanup-auth"
    case cleanupSessions = "cleanup-sessions"
    case sessionStats = "session-stats"
    /// Unauthenticated: can this worker reach the database?
    case health = "health"
    /// Prometheus metrics of this worker process.
    case metrics = "metrics"
    /// What the run records say of each job: ok or stale.
    case status = "status"

    /// Every endpoint but the health check needs the Bearer secret.
    public var requiresSecret: Bool { self != .health }

    /// Read-only views that the metrics token opens too (the cron secret
    /// opens everything); it never starts a cleanup.
    public var acceptsReadOnlyToken: Bool { self == .metrics || self == .status }
}
