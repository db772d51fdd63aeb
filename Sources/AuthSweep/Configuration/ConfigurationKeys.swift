/// The table of every configuration key: its name, environment variable,
/// current value (for `authsweep config`) and how a value is applied.
struct ConfigurationKeys {
    /// Why a value was refused; `Configuration.apply` prefixes the key.
    struct InvalidValue: Error {
        let message: String
    }

    struct Setting: Sendable {
        let key: String
        let apply: @Sendable (inout Configuration, String) throws -> Void
        let current: @Sendable (Configuration) -> String

        var environmentName: String {
            "AUTHSWEEP_" + key.uppercased().map { $0 == "." ? "_" : $0 }.map(String.init).joined()
        }
    }

    static let all: [Setting] =
        // A preset fills in the names nobody set (`Configuration.explicitNames`), wherever it comes from.
        [
            Setting(
                key: "session.preset",
                apply: { configuration, value in
                    guard let preset = SessionPreset(rawValue: value) else {
                        throw InvalidValue(
                            message: "names no preset: '\(value)' (the presets: \(SessionPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    configuration.sessionPreset = preset
                    preset.apply(to: &configuration.tables, keeping: configuration.explicitNames)
                }, current: { $0.sessionPreset.rawValue }),
            Setting(
                key: "session.lifetime_minutes",
                apply: { configuration, value in
                    // Empty: the preset's own lifetime.
                    configuration.sessionLifetimeMinutes = value.isEmpty ? nil : try integer(value, in: 1...5_256_000)
                }, current: { $0.sessionLifetimeMinutes.map(String.init) ?? "" }),
            Setting(
                key: "session.column_time_zone",
                apply: { configuration, value in
                    guard TimeZoneName.isKnown(value, in: configuration.zoneDirectory) else {
                        throw InvalidValue(
                            message: "names no time zone: '\(value)' (an IANA name such as Europe/Berlin or America/New_York; never a fixed offset)")
                    }
                    configuration.sessionColumnTimeZone = value
                }, current: { $0.sessionColumnTimeZone }),
            Setting(
                key: "session.max_age_minutes",
                apply: { configuration, value in
                    // Empty: no absolute lifetime.
                    configuration.sessionMaxAgeMinutes = value.isEmpty ? nil : try integer(value, in: 1...5_256_000)
                }, current: { $0.sessionMaxAgeMinutes.map(String.init) ?? "" }),
        ] + identifiers + numbers + flags + authPresetKeys + [
            Setting(
                key: "monitor.ping_url",
                apply: { configuration, value in
                    guard !value.isEmpty else {
                        configuration.monitorPingURL = nil
                        return
                    }
                    guard value.hasPrefix("http://") || value.hasPrefix("https://"), !value.contains(where: { $0 == " " || $0 == "?" || $0 == "#" }) else {
                        throw InvalidValue(message: "must be an http:// or https:// base URL without a query, such as https://hc-ping.com/<key>")
                    }
                    configuration.monitorPingURL = value
                }, current: { $0.monitorPingURL == nil ? "" : "(set)" }),
            choice("monitor.ping_style", \.monitorPingStyle),
            Setting(
                key: "monitor.stale_after_hours",
                apply: { configuration, value in
                    guard let hours = Double(value), hours.isFinite, hours > 0, hours <= 87_600 else {
                        throw InvalidValue(message: "must be a number of hours above 0 (fractions allowed), got '\(value)'")
                    }
                    configuration.staleAfterHours = hours
                }, current: { String($0.staleAfterHours) }),
            Setting(
                key: "serve.listen",
                apply: { configuration, value in
                    configuration.serve.listen = value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
                }, current: { $0.serve.listen.joined(separator: ",") }),
            Setting(
                key: "serve.socket_mode",
                apply: { configuration, value in
                    guard let mode = UInt32(value, radix: 8), mode <= 0o777 else {
                        throw InvalidValue(message: "must be an octal file mode such as 0660, got '\(value)'")
                    }
                    configuration.serve.socketMode = mode
                }, current: { "0" + String($0.serve.effectiveSocketMode, radix: 8) }),
            Setting(
                key: "serve.socket_group",
                apply: { configuration, value in
                    configuration.serve.socketGroup = value.isEmpty ? nil : value
                }, current: { $0.serve.socketGroup ?? "" }),
            Setting(
                key: "serve.threads",
                apply: { configuration, value in
                    configuration.serve.threads = try integer(value, in: 1...256)
                }, current: { $0.serve.threads.map(String.init) ?? "auto" }),
            choice("cleanup.scan", \.deletionScan),
            choice("cleanup.pace", \.cleanupPace),
            choice("cleanup.partitions", \.cleanupPartitions),
            Setting(
                key: "log.level",
                apply: { configuration, value in
                    let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                    guard levels.contains(value) else {
                        throw InvalidValue(message: "must be one of \(levels.joined(separator: ", ")), got '\(value)'")
                    }
                    configuration.logLevel = value
                }, current: { $0.logLevel }),
        ]

    /// A setting that takes one of an enumeration's raw values.
    private static func choice<Value: CaseIterable & RawRepresentable<String> & Sendable>(
        _ key: String, _ path: any WritableKeyPath<Configuration, Value> & Sendable
    ) -> Setting {
        Setting(
            key: key,
            apply: { configuration, value in
                guard let choice = Value(rawValue: value) else {
                    throw InvalidValue(message: "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", ")), got '\(value)'")
                }
                configuration[keyPath: path] = choice
            }, current: { $0[keyPath: path].rawValue })
    }

    static func flag(_ key: String, _ path: any WritableKeyPath<Configuration, Bool> & Sendable) -> Setting {
        Setting(
            key: key,
            apply: { configuration, value in
                switch value.lowercased() {
                case "true", "yes", "on", "1": configuration[keyPath: path] = true
                case "false", "no", "off", "0": configuration[keyPath: path] = false
                default: throw InvalidValue(message: "must be true or false\(key == "auth.enabled" ? " (or auto)" : ""), got '\(value)'")
                }
            }, current: { String($0[keyPath: path]) })
    }

    private static let flags: [Setting] = [
        Setting(
            key: "auth.enabled",
            apply: { configuration, value in
                // auto: on where one of its tables exists (see `CleanupJobs.expectsRuns`).
                guard value.lowercased() != "auto" else {
                    configuration.authEnabled = true
                    configuration.authEnabledExplicitly = false
                    return
                }
                try flag("auth.enabled", \.authEnabled).apply(&configuration, value)
                configuration.authEnabledExplicitly = true
            }, current: { $0.authEnabledExplicitly ? String($0.authEnabled) : "auto" }),
        flag("sessions.enabled", \.sessionsEnabled),
        flag("login_attempts.enabled", \.loginAttemptsEnabled),
        flag("auth_audit_log.enabled", \.authAuditLogEnabled),
        flag("user_sessions.enabled", \.userSessionsEnabled),
    ]

    static func number(_ key: String, _ path: any WritableKeyPath<Configuration, Int> & Sendable, _ range: ClosedRange<Int>) -> Setting {
        Setting(
            key: key,
            apply: { configuration, value in
                configuration[keyPath: path] = try integer(value, in: range)
            }, current: { String($0[keyPath: path]) })
    }

    private static let numbers: [Setting] = [
        number("auth.retention_hours", \.authRetentionHours, 1...87_600),
        number("session.expired_retention_hours", \.sessionExpiredRetentionHours, 0...87_600),
        number("session.revoked_retention_hours", \.sessionRevokedRetentionHours, 0...87_600),
        number("cleanup.batch_size", \.batchSize, 1...1_000_000),
        number("cleanup.http_time_budget_seconds", \.httpTimeBudgetSeconds, 1...3_600),
        number("cleanup.cli_time_budget_seconds", \.cliTimeBudgetSeconds, 0...86_400),
        number("cleanup.lease_seconds", \.leaseSeconds, 5...3_600),
        number("cleanup.max_replica_lag_ms", \.maxReplicaLagMilliseconds, 0...3_600_000),
        number("database.statement_timeout_ms", \.statementTimeoutMilliseconds, 0...3_600_000),
        number("database.lock_timeout_ms", \.lockTimeoutMilliseconds, 0...3_600_000),
        number("database.connect_timeout_seconds", \.connectTimeoutSeconds, 1...300),
        number("serve.read_timeout_seconds", \.serve.readTimeoutSeconds, 1...3_600),
        number("serve.max_params_bytes", \.serve.maxParameterBytes, 4_096...16_777_216),
        number("serve.max_params", \.serve.maxParameters, 64...100_000),
        number("serve.max_unfinished_bytes", \.serve.maxUnfinishedBytes, 1_048_576...4_294_967_296),
    ]

    private static func identifier(_ key: String, _ path: any WritableKeyPath<TableNames, String> & Sendable) -> Setting {
        Setting(
            key: key,
            apply: { configuration, value in
                guard !value.isEmpty, !value.contains("\0"), value.utf8.count <= 63 else {
                    throw InvalidValue(message: "must be a table or column name of 1 to 63 bytes, got '\(value)'")
                }
                configuration.tables[keyPath: path] = value
                configuration.explicitNames.insert(key)
            }, current: { $0.tables[keyPath: path] })
    }

    /// A name that may be left empty for "none".
    private static func optionalIdentifier(_ key: String, _ path: any WritableKeyPath<TableNames, String?> & Sendable) -> Setting {
        Setting(
            key: key,
            apply: { configuration, value in
                guard !value.contains("\0"), value.utf8.count <= 63 else {
                    throw InvalidValue(message: "must be a table or column name of up to 63 bytes (empty for none), got '\(value)'")
                }
                configuration.tables[keyPath: path] = value.isEmpty ? nil : value
                configuration.explicitNames.insert(key)
            }, current: { $0.tables[keyPath: path] ?? "" })
    }

    private static let identifiers: [Setting] = [
        identifier("login_attempts.table", \.loginAttempts),
        identifier("login_attempts.created_at", \.loginAttemptsCreatedAt),
        identifier("auth_audit_log.table", \.authAuditLog),
        identifier("auth_audit_log.created_at", \.authAuditLogCreatedAt),
        identifier("user_sessions.table", \.userSessions),
        identifier("user_sessions.expires_at", \.userSessionsExpiresAt),
        identifier("user_sessions.revoked_at", \.userSessionsRevokedAt),
        identifier("session.table", \.session),
        identifier("session.id", \.sessionID),
        identifier("session.token", \.sessionToken),
        optionalIdentifier("session.user_id", \.sessionUserID),
        identifier("session.expires", \.sessionExpires),
        optionalIdentifier("session.created_at", \.sessionCreatedAt),
        optionalIdentifier("verification_token.table", \.verificationToken),
        identifier("verification_token.expires", \.verificationTokenExpires),
        identifier("user.table", \.user),
        identifier("user.id", \.userID),
        identifier("user.name", \.userName),
        identifier("user.email", \.userEmail),
        identifier("user.role", \.userRole),
        identifier("audit_log.table", \.auditLog),
        identifier("audit_log.id", \.auditLogID),
        identifier("audit_log.user_id", \.auditLogUserID),
        identifier("audit_log.action", \.auditLogAction),
        identifier("audit_log.details", \.auditLogDetails),
        identifier("audit_log.created_at", \.auditLogCreatedAt),
    ]

    static func integer(_ text: String, in range: ClosedRange<Int>) throws(InvalidValue) -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw InvalidValue(message: "must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }
}
