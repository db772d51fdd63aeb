// The fuzzer builds this file with CleanupKind's as one module.
#if canImport(AuthSweep)
public import AuthSweep
#endif

/// The jobs reachable over HTTP. A cleanup is named by its `CleanupKind`,
/// the one spelling of the job names (routes, metrics, logs, the lease table).
public enum Endpoint: Hashable, Sendable, CaseIterable {
    case cleanup(CleanupKind)
    /// `GET` on the cleanup-sessions path: the session counts.
    case sessionStats
    /// Unauthenticated: can this worker reach the database?
    case health
    /// Prometheus metrics of this worker process.
    case metrics
    /// What the run records say of each job: ok or stale.
    case status

    public static let allCases: [Endpoint] = [.cleanup(.cleanupAuth), .cleanup(.cleanupSessions), .sessionStats, .health, .metrics, .status]

    /// Its name in metrics and logs.
    public var name: String {
        switch self {
        case .cleanup(let kind): kind.rawValue
        case .sessionStats: "session-stats"
        case .health: "health"
        case .metrics: "metrics"
        case .status: "status"
        }
    }

    /// Every endpoint but the health check needs the Bearer secret.
    public var requiresSecret: Bool { self != .health }

    /// Read-only views that the metrics token opens too (the cron secret
    /// opens everything); it never starts a cleanup.
    public var acceptsReadOnlyToken: Bool { self == .metrics || self == .status }
}
