/// The tables cleanup-auth cleans: the contract's three, and those of
/// the auth presets (`auth.presets`).
extension CleanupJobs {
    /// cleanup-auth's tables in the order they are cleaned: the contract's
    /// three, then the auth presets', each with its rule in words.
    func authTables(_ catalog: SchemaCatalog) throws(JobError) -> [AuthTable] {
        let retention = configuration.authRetentionHours * 3600
        var found: [AuthTable] = []
        if try Self.cleansContractTable(tables.loginAttempts, enabled: configuration.loginAttemptsEnabled, of: configuration, in: catalog) {
            found.append(
                AuthTable(
                    target: try .olderThan(table: tables.loginAttempts, column: tables.loginAttemptsCreatedAt, retentionSeconds: retention, catalog: catalog),
                    name: .loginAttempts, rule: "\(tables.loginAttemptsCreatedAt) older than \(configuration.authRetentionHours) h", preset: nil))
        }
        if try Self.cleansContractTable(tables.authAuditLog, enabled: configuration.authAuditLogEnabled, of: configuration, in: catalog) {
            found.append(
                AuthTable(
                    target: try .olderThan(table: tables.authAuditLog, column: tables.authAuditLogCreatedAt, retentionSeconds: retention, catalog: catalog),
                    name: .authAuditLog, rule: "\(tables.authAuditLogCreatedAt) older than \(configuration.authRetentionHours) h", preset: nil))
        }
        if try Self.cleansContractTable(tables.userSessions, enabled: configuration.userSessionsEnabled, of: configuration, in: catalog) {
            found.append(
                AuthTable(
                    target: try .expiredOrRevoked(
                        table: tables.userSessions, expiresColumn: tables.userSessionsExpiresAt, revokedColumn: tables.userSessionsRevokedAt,
                        expiredRetentionSeconds: configuration.sessionExpiredRetentionHours * 3600,
                        revokedRetentionSeconds: configuration.sessionRevokedRetentionHours * 3600,
                        catalog: catalog),
                    name: .userSessions,
                    rule:
                        "\(tables.userSessionsExpiresAt) passed \(configuration.sessionExpiredRetentionHours) h ago, or \(tables.userSessionsRevokedAt) \(configuration.sessionRevokedRetentionHours) h ago",
                    preset: nil))
        }
        for rule in try Self.presetRules(of: configuration, in: catalog) {
            found.append(
                AuthTable(target: try rule.target(catalog, configuration.sessionColumnTimeZone), name: rule.name, rule: rule.summary, preset: rule))
        }
        return found
    }

    /// One table cleanup-auth cleans.
    struct AuthTable {
        let target: DeletionTarget
        let name: CleanupTarget
        /// The rule in words, for `--explain`.
        let rule: String
        /// The auth preset's rule it comes from, if any.
        let preset: PresetTableRule?
    }

    /// Whether cleanup-auth cleans one of the contract's own three tables:
    /// when it is enabled; where auth presets are set and `auth.enabled`
    /// is left to auto (an application of one framework has none of the
    /// contract's tables), only when it exists.
    static func cleansContractTable(_ table: String, enabled: Bool, of configuration: Configuration, in catalog: SchemaCatalog) throws(JobError) -> Bool {
        guard enabled else { return false }
        guard !configuration.authPresets.isEmpty, !configuration.authEnabledExplicitly else { return true }
        return try catalog.tableExists(table)
    }

    /// The rules of the configured auth presets' tables that exist. A
    /// preset none of whose tables exists, or without one it needs, is a
    /// schema error that names it.
    static func presetRules(of configuration: Configuration, in catalog: SchemaCatalog) throws(JobError) -> [PresetTableRule] {
        var found: [PresetTableRule] = []
        for preset in configuration.authPresets {
            let rules = preset.tableRules(configuration.authPresetSettings)
            var existing: [PresetTableRule] = []
            for rule in rules {
                if try catalog.tableExists(rule.table) {
                    existing.append(rule)
                } else if !rule.optional {
                    throw .schema(
                        "auth.presets names \(preset.rawValue), but its table \(rule.table) does not exist (remove the preset, or run the framework's migrations)"
                    )
                }
            }
            guard !existing.isEmpty else {
                throw .schema(
                    "auth.presets names \(preset.rawValue), but none of its tables (\(rules.map(\.table).joined(separator: ", "))) exists (remove the preset, or run the framework's migrations)"
                )
            }
            found += existing
        }
        return found
    }
}
