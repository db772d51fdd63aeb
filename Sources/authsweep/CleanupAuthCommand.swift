import ArgumentParser
import AuthSweep

struct CleanupAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CleanupKind.cleanupAuth.rawValue,
        abstract: "Delete login attempts and auth audit entries past the retention (24 h), and expired or revoked user sessions.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var cleanup: CleanupRunOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
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
                if outcome.hasMore { print("Stopped at the time budget; run again to finish.") }
            }
        }
    }
}
