public import AuthSweep

/// Everything a request can end in. `APIResponse` turns it into the
/// contract's status, headers and body; nothing else decides them.
public enum EndpointAnswer: Sendable {
    case cleanup(CleanupOutcome)
    case sessionStats(SessionStats)
    case health(databaseReachable: Bool)
    /// What the run records say: 200 when ok, 503 when a job is stale.
    case status(CleanupStatus)
    /// Prometheus text, sent as is.
    case metrics([UInt8])
    case unauthorized
    case notFound
    case methodNotAllowed(allowed: [String])
    case failed(JobError)
}
