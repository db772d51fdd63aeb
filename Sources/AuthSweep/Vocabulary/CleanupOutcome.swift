/// What a run produced, by job: the one name for it, from the run through
/// the run records and pings to the endpoint's answer and `--json`.
public enum CleanupOutcome: Sendable {
    case cleanupAuth(CleanupOutcome.Auth)
    case cleanupSessions(CleanupOutcome.Sessions)

    /// The run's answer, as the endpoint, `--json` and the success ping give it.
    public var json: JSONValue {
        switch self {
        case .cleanupAuth(let run): run.json
        case .cleanupSessions(let run): run.json
        }
    }
}
