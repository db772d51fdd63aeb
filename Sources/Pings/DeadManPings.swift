public import AuthSweep
import Curl
public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Dead-man's-switch pings in healthchecks.io's slug style, from
/// `monitor.ping_url` (a base URL): for each run that holds its lease,
/// `GET <base>/<job>/start?rid=<id>`, then `POST <base>/<job>?rid=<id>`
/// with the run's JSON answer, or `POST <base>/<job>/fail?rid=<id>` with the
/// error (also for a run that failed before it held its lease: then under
/// a fresh id, with no start ping). A ping never changes a run's result: at
/// most 10 s for each, all its tries and pauses together, failures logged
/// (without the URL, whose path may hold the service's key).
///
/// With `monitor.ping_style = cronitor`, Cronitor's telemetry URLs instead:
/// `<base>/<job>?state=run|complete|fail&series=<id>` (GET; a failure's
/// error in `message`).
public struct DeadManPings: RunObserver {
    private let base: String
    private let style: PingStyle
    private let logger: Logger
    static let budget = Duration.seconds(10)
    static let attempts = 3
    static let pause = Duration.milliseconds(500)

    /// - Parameter base: `http://` or `https://`, with or without a final slash.
    public init(base: String, style: PingStyle = .healthchecks, logger: Logger) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.style = style
        self.logger = logger
    }

    public func runStarted(_ kind: CleanupKind, runID: String) {
        switch style {
        case .healthchecks: ping(kind, "start", method: "GET", url: "\(base)/\(kind.rawValue)/start?rid=\(runID)")
        case .cronitor: ping(kind, "start", method: "GET", url: "\(base)/\(kind.rawValue)?state=run&series=\(runID)")
        }
    }

    public func runSucceeded(_ kind: CleanupKind, runID: String, outcome: CleanupOutcome) {
        switch style {
        case .healthchecks:
            ping(kind, "success", method: "POST", url: "\(base)/\(kind.rawValue)?rid=\(runID)", body: Array(outcome.json.serialized.utf8))
        case .cronitor:
            ping(kind, "success", method: "GET", url: "\(base)/\(kind.rawValue)?state=complete&series=\(runID)")
        }
    }

    public func runFailed(_ kind: CleanupKind, runID: String, error: JobError) {
        // What the command line says: never a secret (none reaches a
        // JobError), never a Swift name; then what to do.
        let message = error.operatorDescription + "; authsweep check says what to fix"
        switch style {
        case .healthchecks:
            ping(kind, "fail", method: "POST", url: "\(base)/\(kind.rawValue)/fail?rid=\(runID)", body: Array(message.utf8))
        case .cronitor:
            ping(
                kind, "fail", method: "GET",
                url: "\(base)/\(kind.rawValue)?state=fail&series=\(runID)&message=\(Self.percentEncoded(String(message.prefix(200))))")
        }
    }

    /// Everything but unreserved characters (RFC 3986) as %XX.
    static func percentEncoded(_ text: String) -> String {
        text.utf8.map { byte in
            let character = Character(Unicode.Scalar(byte))
            if character.isASCII && (character.isLetter || character.isNumber || "-._~".contains(character)) { return String(character) }
            return "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }.joined()
    }

    private func ping(_ kind: CleanupKind, _ event: String, method: String, url: String, body: [UInt8] = []) {
        let deadline = ContinuousClock.now + Self.budget
        var lastFailure = ""
        for attempt in 1...Self.attempts {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .milliseconds(100) else { break }
            do throws(HTTPPing.Failure) {
                try HTTPPing.send(method: method, url: url, body: body, timeoutMilliseconds: Int(left / .milliseconds(1)))
                return
            } catch {
                lastFailure = error.description
            }
            // A pause only where another try still fits: the bound holds for all tries together.
            guard attempt < Self.attempts, ContinuousClock.now + Self.pause + .milliseconds(100) < deadline else { break }
            usleep(UInt32(Self.pause / .microseconds(1)))
        }
        logger.warning(
            "monitoring ping failed; the run's result is unchanged",
            metadata: ["job.name": "\(kind.rawValue)", "monitor.event": "\(event)", "error": "\(lastFailure)"])
    }
}
