extension CleanupOutcome {
    /// What a cleanup-auth run did (or, dry, would do).
    public struct Auth: Sendable, Equatable {
        public var loginAttempts = 0
        public var authAuditLog = 0
        public var userSessions = 0
        /// The auth presets' tables (`auth.presets`), in the order cleaned.
        public var presetTables: [PresetTable] = []
        /// The run stopped at its time budget with rows left for the next run.
        public var hasMore = false
        public var dryRun = false
        public var durationMilliseconds = 0

        public var total: Int { loginAttempts + authAuditLog + userSessions + presetTables.reduce(0) { $0 + $1.deleted } }
    }

    /// Rows deleted from one table of an auth preset.
    public struct PresetTable: Sendable, Equatable {
        public let preset: AuthPreset
        public let table: String
        public let deleted: Int

        public init(preset: AuthPreset, table: String, deleted: Int) {
            self.preset = preset
            self.table = table
            self.deleted = deleted
        }
    }
}

extension CleanupOutcome.Auth {
    /// The run's answer, as the endpoint and `--json` give it.
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("success", .bool(true)),
            ("message", .string(dryRun ? "Dry run completed" : "Cleanup completed")),
        ]
        if dryRun { members.append(("dryRun", .bool(true))) }
        members.append(
            (
                dryRun ? "wouldDelete" : "deleted",
                .object(
                    [
                        ("loginAttempts", .integer(loginAttempts)),
                        ("authAuditLog", .integer(authAuditLog)),
                        ("userSessions", .integer(userSessions)),
                    ] + presetMembers)
            ))
        if hasMore { members.append(("hasMore", .bool(true))) }
        return .object(members)
    }
}

extension CleanupOutcome.Auth {
    /// `"presets": {"<preset>": {"<table>": n, ...}, ...}` when any auth
    /// preset is set; nothing otherwise, so the answer is as before.
    private var presetMembers: [(key: String, value: JSONValue)] {
        guard !presetTables.isEmpty else { return [] }
        var presets: [AuthPreset] = []
        for table in presetTables where !presets.contains(table.preset) { presets.append(table.preset) }
        let members = presets.map { preset in
            (
                key: preset.rawValue,
                value: JSONValue.object(presetTables.filter { $0.preset == preset }.map { (key: $0.table, value: .integer($0.deleted)) })
            )
        }
        return [("presets", .object(members))]
    }
}
