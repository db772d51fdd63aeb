import Postgres

extension InstallationCheck {
    /// Which presets the database's tables match (each preset's own names,
    /// whatever the configuration overrides), and a warning when the
    /// configured one is not among them.
    func presetFindings(_ catalog: SchemaCatalog) throws(JobError) -> [Finding] {
        var matching: [SessionPreset] = []
        for preset in SessionPreset.allCases {
            let names = preset.tableNames
            var columns = [names.sessionToken]
            if let user = names.sessionUserID { columns.append(user) }
            guard try catalog.tableExists(names.session),
                try catalog.columnType(table: names.session, column: names.sessionExpires).flatMap({ ColumnClock(ruleColumnType: $0) }) != nil
            else { continue }
            var complete = true
            for column in columns where try catalog.columnType(table: names.session, column: column) == nil { complete = false }
            if complete { matching.append(preset) }
        }
        let configured = configuration.sessionPreset
        // Names set beside the preset are the operator's own table: no advice then.
        let ownNames =
            configuration.tables.session != configured.tableNames.session || configuration.tables.sessionExpires != configured.tableNames.sessionExpires
        var lifetimeFinding: [Finding] = []
        if configuration.sessionLifetimeMinutes != nil, configured.rule == .expiresAt {
            lifetimeFinding.append(
                Finding(
                    level: .warning,
                    message: "session.lifetime_minutes is set, but \(configured.rawValue)'s table stores each session's expiry: it is not used",
                    fix: "remove session.lifetime_minutes (it is for the laravel and rails presets)"))
        }
        guard !matching.isEmpty else {
            return lifetimeFinding + [
                Finding(
                    level: ownNames ? .ok : .warning,
                    message: "the database has the session table of no preset (\(SessionPreset.allCases.map(\.rawValue).joined(separator: ", ")))",
                    fix: ownNames ? nil : "set the session.* names to the application's own table")
            ]
        }
        let described = matching.map { "\($0.rawValue) (\($0.tableNames.session))" }.joined(separator: ", ")
        var findings = lifetimeFinding + [Finding(ok: true, message: "the database's session tables match the presets: \(described)", fix: nil)]
        if !matching.contains(configured), !ownNames {
            findings.append(
                Finding(
                    level: .warning,
                    message:
                        "session.preset is \(configured.rawValue), whose table \(configured.tableNames.session) is not in this database with the columns that preset expects; it has those of \(matching.map(\.rawValue).joined(separator: ", "))",
                    fix: "set session.preset = \(matching[0].rawValue) in the config file (or AUTHSWEEP_SESSION_PRESET)"))
        }
        return findings
    }
}
