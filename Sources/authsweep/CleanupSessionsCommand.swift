import ArgumentParser
import AuthSweep
import CronAPI

struct CleanupSessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup-sessions",
        abstract: "Delete expired sessions (expires <= now) and record the run in the audit log.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var cleanup: CleanupRunOptions

    @Flag(name: .long, help: "Print the session counts before and after.")
    var stats = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runJob(common) { jobs, database, configuration in
            let human = !cleanup.json
            try withJSONFailure(json: cleanup.json) { () throws(JobError) in
                if stats && human { print("Before: " + describe(try jobs.sessionStats(on: database))) }
                if cleanup.verbose && human {
                    print("Deleting expired sessions in batches of \(configuration.batchSize)\(cleanup.dryRun ? " (dry run)" : "")")
                }
                let outcome = try jobs.cleanupSessions(on: database, options: cleanup.cleanupOptions(configuration))
                if cleanup.json {
                    print(APIResponse.body(for: .cleanupSessions(outcome)).serialized)
                    return
                }
                guard cleanup.reportsSuccess || stats else { return }
                print(
                    outcome.dryRun
                        ? "Dry run: \(outcome.deletedCount) expired session(s) would be deleted"
                        : "Successfully deleted \(outcome.deletedCount) expired session(s)")
                if outcome.hasMore { print("Stopped at the time budget; run again to finish.") }
                if stats { print("After: " + describe(try jobs.sessionStats(on: database))) }
            }
        }
    }
}
