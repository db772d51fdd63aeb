/// Everything an operator can set besides the secrets and the connection.
///
/// Every default matches the contract, so no config file is needed. A file
/// (`key = value` lines, optional `[section]` headers) and then
/// `AUTHSWEEP_<KEY>` environment variables override them.
public struct Configuration: Sendable {
    /// Where `serve` and the jobs look when `--config` is not given.
    public static let defaultPath = "/etc/authsweep/authsweep.conf"

    public var tables = TableNames()
    /// Whose session table this is (`session.preset`); it set `tables`' session names.
    public var sessionPreset = SessionPreset.authjsPrisma
    /// The table and column keys set in the file or the environment: a
    /// preset, wherever and whenever it is set, leaves these as they are.
    public var explicitNames: Set<String> = []
    /// `session.lifetime_minutes`; `nil` for the preset's own (see `effectiveSessionLifetimeMinutes`).
    public var sessionLifetimeMinutes: Int?
    /// `session.column_time_zone`: the IANA zone whose wall time the
    /// application writes into a `timestamp without time zone` rule column.
    public var sessionColumnTimeZone = "UTC"
    /// `session.max_age_minutes`: sessions created longer ago than this are
    /// expired whatever their activity; `nil` for no absolute lifetime.
    public var sessionMaxAgeMinutes: Int?
    /// Expired sessions (and user_sessions rows) are kept this long past their expiry.
    public var sessionExpiredRetentionHours = 0
    /// Revoked user_sessions rows are kept this long past their revocation
    /// (refresh-token reuse detection needs them for a while).
    public var sessionRevokedRetentionHours = 0
    public var authRetentionHours = 24
    /// `auth.presets`: the frameworks whose own auth tables cleanup-auth
    /// also cleans, in the order given; none by default.
    public var authPresets: [AuthPreset] = []
    /// The `auth.<preset>.*` settings those frameworks' rules read.
    public var authPresetSettings = AuthPresetSettings()
    public var batchSize = 5000
    /// How a cleanup walks a table; `auto` follows PostgreSQL's planner.
    public var deletionScan = DeletionScan.automatic
    /// `cleanup.pace`: batches back to back, or yielding to the application.
    public var cleanupPace = CleanupPace.fast
    /// `cleanup.partitions`: partitions lying wholly before the cutoff are
    /// dropped, detached, or emptied row by row like any table.
    public var cleanupPartitions = CleanupPartitions.drop
    /// `cleanup.max_replica_lag_ms`: before each batch, a cleanup waits
    /// while a streaming standby's replay lags more than this; 0 for no bound.
    public var maxReplicaLagMilliseconds = 1000
    /// Cleanups started over HTTP stop between batches after this long and
    /// answer `"hasMore": true`; kept well under nginx's 60 s read timeout.
    public var httpTimeBudgetSeconds = 20
    /// The same for the command line; 0 means no budget.
    public var cliTimeBudgetSeconds = 0
    public var statementTimeoutMilliseconds = 15_000
    public var lockTimeoutMilliseconds = 3_000
    /// Switches for the jobs and cleanup-auth's tables: an application
    /// without some of the tables turns them off instead of failing daily.
    public var authEnabled = true
    /// Whether `auth.enabled` was set: unset ("auto"), cleanup-auth is
    /// expected to run only where one of its tables exists (an Auth.js
    /// database has none of them).
    public var authEnabledExplicitly = false
    public var sessionsEnabled = true
    public var loginAttemptsEnabled = true
    public var authAuditLogEnabled = true
    public var userSessionsEnabled = true
    /// `monitor.ping_url`: the base URL of dead-man pings; nil for none.
    public var monitorPingURL: String?
    public var monitorPingStyle = PingStyle.healthchecks
    /// `status` calls an enabled job stale after this long without a success.
    public var staleAfterHours = 26.0
    /// How long a cleanup's lease outlives its last batch when the run
    /// cannot release it (killed behind a pooler).
    public var leaseSeconds = 60
    public var connectTimeoutSeconds = 5
    /// libpq's own `PGCONNECT_TIMEOUT` is in the environment: it applies
    /// instead of `connectTimeoutSeconds`.
    public var libpqConnectTimeoutIsSet = false
    /// The time zone database zone names are checked against: `TZDIR`
    /// from the environment, else the system's.
    public var zoneDirectory = "/usr/share/zoneinfo"
    /// The `serve.*` settings, which the worker reads (CronAPI's
    /// `ServingConfiguration`); parsed here, with every other setting.
    public var serve = ServeSettings()
    public var logLevel = "info"
    /// `DATABASE_URL` as given, the application's own form allowed (see
    /// `DatabaseURL`); when unset libpq's `PG*` variables apply.
    public var databaseURL: String?
    /// `ADMIN_DATABASE_URL`: the connection of the `sessions` and `users`
    /// commands, whose role may change users; the workers' role may not.
    /// When unset they use `databaseURL`.
    public var administrationDatabaseURL: String?
    /// The file the settings came from, if any.
    public var sourcePath: String?

    public init() {}

    /// Defaults, then the config file, then the environment.
    ///
    /// - Parameter path: `--config`; when `nil`, `AUTHSWEEP_CONFIG` or the
    ///   default path is read if it exists.
    public static func load(path: String?, environment: Environment) throws(ConfigurationError) -> Configuration {
        var configuration = Configuration()
        if let directory = environment["TZDIR"], !directory.isEmpty { configuration.zoneDirectory = directory }
        let explicitPath = path ?? environment["AUTHSWEEP_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let filePath = explicitPath ?? (FileReader.exists(defaultPath) ? defaultPath : nil)
        if let filePath {
            let text = String(decoding: try FileReader.read(filePath), as: UTF8.self)
            try configuration.apply(fileText: text, origin: "config file \(filePath)")
            configuration.sourcePath = filePath
        }
        for setting in ConfigurationKeys.all {
            if let value = environment[setting.environmentName] {
                try configuration.apply(key: setting.key, value: value, origin: setting.environmentName)
            }
        }
        configuration.databaseURL = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.administrationDatabaseURL = environment["ADMIN_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.libpqConnectTimeoutIsSet = environment["PGCONNECT_TIMEOUT"] != nil
        return configuration
    }

    /// Applies a config file's text; `origin` names the file in errors.
    public mutating func apply(fileText: String, origin: String) throws(ConfigurationError) {
        var section = ""
        for (offset, rawLine) in fileText.lines.enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let place = "\(origin), line \(offset + 1)"
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw ConfigurationError("\(place): malformed section header '\(line)'")
                }
                section = String(line.dropFirst().dropLast()).trimmingWhitespace() + "."
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(place): expected 'key = value', got '\(line)'")
            }
            let key = section + line[..<equals].trimmingWhitespace()
            var value = line[line.index(after: equals)...].trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            try apply(key: key, value: value, origin: place)
        }
    }

    /// Sets one key; errors name the key and the origin.
    public mutating func apply(key: String, value: String, origin: String) throws(ConfigurationError) {
        guard let setting = ConfigurationKeys.all.first(where: { $0.key == key }) else {
            throw ConfigurationError("\(origin): unknown key '\(key)'")
        }
        do {
            try setting.apply(&self, value)
        } catch let error as ConfigurationKeys.InvalidValue {
            throw ConfigurationError("\(origin): '\(key)' \(error.message)")
        } catch {
            throw ConfigurationError("\(origin): '\(key)' \(error)")
        }
    }
}

extension String {
    /// The text's lines, ended by LF, CRLF or CR (as systemd reads its
    /// files): by Unicode scalar, since a `Character` holds CR LF as one.
    var lines: [String] {
        var lines: [String] = []
        var line = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            if scalar == "\n" && previousWasCR { continue }
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(line))
                line = String.UnicodeScalarView()
            } else {
                line.append(scalar)
            }
        }
        lines.append(String(line))
        return lines
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}

extension Configuration {
    /// Every key with its effective value, in the order of the key table.
    public var settings: [(key: String, value: String)] {
        ConfigurationKeys.all.map { ($0.key, $0.current(self)) }
    }
}

extension Configuration {
    /// How long a session of a last-activity preset stays active after its
    /// last activity: `session.lifetime_minutes`, else the preset's own;
    /// `nil` for an expiry column.
    public var effectiveSessionLifetimeMinutes: Int? {
        guard sessionPreset.rule == .lastActivity else { return nil }
        return sessionLifetimeMinutes ?? sessionPreset.defaultLifetimeMinutes ?? 120
    }
}

extension Configuration {
    /// Whether a job runs at all: cleanup-auth needs at least one of its tables on.
    public func isEnabled(_ kind: CleanupKind) -> Bool {
        switch kind {
        case .cleanupAuth: authEnabled && (loginAttemptsEnabled || authAuditLogEnabled || userSessionsEnabled)
        case .cleanupSessions: sessionsEnabled
        }
    }
}
