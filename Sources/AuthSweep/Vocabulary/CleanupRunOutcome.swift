/// What a successful run of either job answered.
public enum CleanupRunOutcome: Sendable {
    case cleanupAuth(CleanupAuthOutcome)
    case cleanupSessions(CleanupSessionsOutcome)

    /// The run's answer, as the endpoint, `--json` and the success ping give it.
    public var json: JSONValue {
        switch self {
        case .cleanupAuth(let run): run.json
        case .cleanupSessions(let run): run.json
        }
    }
}
