import ArgumentParser
import AuthSweep

struct CleanupAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CleanupKind.cleanupAuth.rawValue,
        abstract:
            "Delete login attempts and auth audit entries past the retention (24 h), expired or revoked user sessions, and the tables of the auth presets (auth.presets) by their frameworks' own rules.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var cleanup: CleanupRunOptions

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "With --dry-run: audit each table's rule instead: the rule in words, the rows it matches of all the table holds, and whether finding them reads the whole table (no index serves the rule). With --json, as JSON."
        ))
    var explain = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if explain && !cleanup.dryRun {
            throw ValidationError("--explain audits the rules without deleting anything: give --dry-run with it")
        }
    }

    func run() throws {
        if explain {
            try runExplain()
            return
        }
        try runJob(common) { jobs, database, configuration in
            if cleanup.verbose && !cleanup.json {
                print(
                    "Deleting login attempts and auth audit entries older than \(configuration.authRetentionHours) h, and expired or revoked user sessions, in batches of \(configuration.batchSize)\(cleanup.dryRun ? " (dry run)" : "")"
                )
            }
            try withJSONFailure(json: cleanup.json) { () throws(JobError) in
                let outcome = try jobs.cleanupAuth(on: database, options: cleanup.cleanupOptions(configuration))
                if cleanup.json {
                    print(outcome.json.serialized)
                    return
                }
                guard cleanup.reportsSuccess else { return }
                let verb = outcome.dryRun ? "would delete" : "deleted"
                print(
                    "\(outcome.dryRun ? "Dry run" : "Cleanup completed"): \(verb) \(outcome.loginAttempts) login attempt(s), \(outcome.authAuditLog) auth audit entr\(outcome.authAuditLog == 1 ? "y" : "ies"), \(outcome.userSessions) user session(s)"
                )
                for table in outcome.presetTables {
                    print("  \(table.preset.rawValue): \(table.table) \(table.deleted)")
                }
                if outcome.hasMore { print("Stopped at the time budget; run again to finish.") }
            }
        }
    }

    /// `--dry-run --explain`: each table's rule audited, nothing deleted.
    private func runExplain() throws {
        try runJob(common) { jobs, database, _ in
            try withJSONFailure(json: cleanup.json) { () throws(JobError) in
                let audits = try jobs.explainAuthRules(on: database)
                if cleanup.json {
                    print(
                        JSONValue.object([
                            ("success", .bool(true)),
                            (
                                "rules",
                                .array(
                                    audits.map { audit in
                                        .object([
                                            ("name", .string(audit.name)), ("table", .string(audit.table)), ("rule", .string(audit.rule)),
                                            ("matching", .integer(audit.matching)), ("rows", .integer(audit.rows)),
                                            ("sequentialScan", .bool(audit.sequentialScan)),
                                        ])
                                    })
                            ),
                        ]).serialized)
                } else {
                    for audit in audits {
                        print("\(audit.name) (\(audit.table)): \(audit.rule)")
                        print("  \(audit.matching) of \(audit.rows) row(s) match now\(audit.sequentialScan ? "; finding them reads the whole table" : "")")
                    }
                }
            }
        }
    }
}
