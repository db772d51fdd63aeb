import AuthSweep
import Logging

/// The log line of each answered request: what the peer sent, escaped so
/// that it cannot end the line or forge another; why a request was
/// refused, never a byte of what it presented; at most `RequestLogLimiter`'s
/// share of lines per peer, with the count of those left out.
struct RequestLog {
    let logger: Logger
    let limiter: RequestLogLimiter

    /// What is logged of one request.
    struct Entry {
        var method: String
        var path: String
        var peer: String?
        var status: Int
        var duration: Duration
        /// The failure's log text, for a request that failed.
        var failure: String?
        var refusal: AuthFailure?
        var isHealth: Bool
    }

    func record(_ entry: Entry) {
        // Health checks are anonymous and may come in floods: their lines
        // are debug (a change of answer is logged where it happens).
        let level: Logger.Level = entry.isHealth ? .debug : entry.status >= 500 ? .error : .info
        // The metadata is built only for a line that is logged.
        guard logger.logLevel <= level, case let (true, notLogged) = limiter.admit(entry.peer ?? "-") else { return }
        var metadata: Logger.Metadata = [
            "request.method": "\(LogText.escaped(entry.method))",
            "request.path": "\(LogText.escaped(entry.path))",
            "response.status": "\(entry.status)",
            "request.duration_ms": "\(entry.duration.milliseconds)",
        ]
        if let failure = entry.failure { metadata["error"] = "\(failure)" }
        if let refusal = entry.refusal {
            metadata["auth.failure"] = "\(refusal.rawValue)"
            metadata["client.address"] = "\(LogText.escaped(entry.peer ?? "-"))"
        }
        if notLogged > 0 { metadata["log.requests_not_logged"] = "\(notLogged)" }
        logger.log(level: level, "request", metadata: metadata)
    }
}
