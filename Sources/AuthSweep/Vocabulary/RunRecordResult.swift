/// How a cleanup run ended, as its run record (`last_result`) and the
/// metrics' `result` label hold it; what it produced is its `CleanupOutcome`.
public enum RunRecordResult: String, Sendable {
    case success
    case error
    /// The same cleanup was running elsewhere (HTTP 409, exit 75).
    case busy
}
