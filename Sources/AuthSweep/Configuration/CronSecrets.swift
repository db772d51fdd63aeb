/// The secrets a request may present: `CRON_SECRET` and, during a rotation,
/// `CRON_SECRET_PREVIOUS`, and the read-only `METRICS_TOKEN` for metrics
/// and status (each may come from a `_FILE` twin instead).
public struct CronSecrets: Sendable {
    /// Shortest secret `serve` accepts.
    public static let minimumLength = 16

    public let current: [UInt8]
    public let previous: [UInt8]?
    /// Opens metrics and status, never a cleanup.
    public let metricsToken: [UInt8]?

    /// All secrets that authenticate a request.
    public var accepted: [[UInt8]] {
        [current] + (previous.map { [$0] } ?? [])
    }

    /// Loads and validates the secrets; the error says which variable is wrong
    /// and why, never its value.
    public static func load(from environment: Environment) throws(ConfigurationError) -> CronSecrets {
        guard let current = try value(named: "CRON_SECRET", in: environment) else {
            throw ConfigurationError("no secret configured: set CRON_SECRET or CRON_SECRET_FILE")
        }
        let previous = try value(named: "CRON_SECRET_PREVIOUS", in: environment)
        let metricsToken = try value(named: "METRICS_TOKEN", in: environment)
        try requireUsable(current, name: "CRON_SECRET")
        if let previous { try requireUsable(previous, name: "CRON_SECRET_PREVIOUS") }
        if let metricsToken {
            try requireUsable(metricsToken, name: "METRICS_TOKEN")
            guard metricsToken != current, metricsToken != previous else {
                throw ConfigurationError("METRICS_TOKEN is the same as the cron secret: give monitoring a token of its own (try: openssl rand -base64 32)")
            }
        }
        return CronSecrets(current: current, previous: previous, metricsToken: metricsToken)
    }

    /// `bytes` without one final `\n` or `\r\n`, as a file or a pipe ends a token.
    public static func withoutFinalLineEnd(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }

    /// The secret files configured, by variable, for `check`.
    public static func files(in environment: Environment) -> [(variable: String, path: String)] {
        ["CRON_SECRET", "CRON_SECRET_PREVIOUS", "METRICS_TOKEN"].compactMap { name in
            environment[name + "_FILE"].flatMap { $0.isEmpty ? nil : (name + "_FILE", $0) }
        }
    }

    /// The secret from `name` or from the file named by `name_FILE`; an empty
    /// variable counts as unset.
    static func value(named name: String, in environment: Environment) throws(ConfigurationError) -> [UInt8]? {
        let direct = environment[name].flatMap { $0.isEmpty ? nil : $0 }
        let filePath = environment[name + "_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        switch (direct, filePath) {
        case (.some, .some):
            throw ConfigurationError("both \(name) and \(name)_FILE are set: set only one")
        case (let direct?, nil):
            return Array(direct.utf8)
        case (nil, let filePath?):
            // One final line end is what editors and `echo` add; anything
            // more is refused below rather than sent as part of the token.
            return withoutFinalLineEnd(try FileReader.read(filePath))
        case (nil, nil):
            return nil
        }
    }

    /// A secret must be one token a client can send after `Bearer `:
    /// visible ASCII only. A space, a control byte or a second line end
    /// would make every request a 401, so the worker refuses to start.
    private static func requireUsable(_ secret: [UInt8], name: String) throws(ConfigurationError) {
        guard secret.count >= minimumLength else {
            throw ConfigurationError("\(name) is \(secret.count) bytes long; at least \(minimumLength) are required (try: openssl rand -base64 32)")
        }
        if let index = secret.firstIndex(where: { !(0x21...0x7e).contains($0) }) {
            let what =
                switch secret[index] {
                case UInt8(ascii: " "): "a space"
                case UInt8(ascii: "\n"), UInt8(ascii: "\r"): "a line end"
                case 0..<0x20, 0x7f: "a control byte"
                default: "a byte outside ASCII"
                }
            throw ConfigurationError(
                "\(name) has \(what) at byte \(index + 1) of \(secret.count): a Bearer token is visible ASCII only; write the secret on one line with no spaces (try: openssl rand -base64 32)"
            )
        }
    }
}
