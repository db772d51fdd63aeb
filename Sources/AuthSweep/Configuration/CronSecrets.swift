/// The secrets a request may present: `CRON_SECRET` and, during a rotation,
/// `CRON_SECRET_PREVIOUS` (each may come from a `_FILE` twin instead).
public struct CronSecrets: Sendable {
    /// Shortest secret `serve` accepts.
    public static let minimumLength = 16

    public let current: [UInt8]
    public let previous: [UInt8]?

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
        try requireLength(current, name: "CRON_SECRET")
        if let previous { try requireLength(previous, name: "CRON_SECRET_PREVIOUS") }
        return CronSecrets(current: current, previous: previous)
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
            var contents = try FileReader.read(filePath)
            if contents.last == UInt8(ascii: "\n") { contents.removeLast() }
            if contents.last == UInt8(ascii: "\r") { contents.removeLast() }
            return contents
        case (nil, nil):
            return nil
        }
    }

    private static func requireLength(_ secret: [UInt8], name: String) throws(ConfigurationError) {
        guard secret.count >= minimumLength else {
            throw ConfigurationError("\(name) is \(secret.count) bytes long; at least \(minimumLength) are required (try: openssl rand -base64 32)")
        }
    }
}
