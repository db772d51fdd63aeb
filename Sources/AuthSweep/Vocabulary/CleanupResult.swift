/// How a cleanup run ended, as the metrics label it.
public enum CleanupResult: String, Sendable {
    case success
    case error
    /// The same cleanup was running elsewhere (HTTP 409, exit 75).
    case busy
}
