#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import AuthSweep
import CronAPI
import Logging
import Synchronization

/// Options of the one-shot cleanup commands.
struct CleanupRunOptions: ParsableArguments {
    @Flag(name: .long, help: "Count what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Tell what is done as it goes (progress on a terminal).")
    var verbose = false

    @Flag(name: .long, help: "Print exactly the JSON body the HTTP endpoint answers, on one line.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Stop between batches after this many seconds (default: cleanup.cli_time_budget_seconds, 0 = none).", valueName: "SECONDS"))
    var timeBudget: Int?

    func cleanupOptions(_ configuration: Configuration) -> CleanupOptions {
        let budget = timeBudget ?? configuration.cliTimeBudgetSeconds
        return CleanupOptions(
            dryRun: dryRun,
            timeBudget: budget > 0 ? .seconds(budget) : nil,
            progress: verbose && !json ? ProgressPrinter().report : nil
        )
    }
}

struct CleanupAuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup-auth",
        abstract: "Delete login attempts and auth audit entries past the retention (24 h), and expired or revoked user sessions.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var cleanup: CleanupRunOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        try runCommand {
            let configuration = try common.loadConfiguration()
            let logger = common.makeLogger(configuration, defaultLevel: .critical)
            let jobs = CleanupJobs(configuration: configuration, logger: logger)
            let database = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
            if cleanup.verbose && !cleanup.json {
                print("Deleting login attempts and auth audit entries older than \(configuration.authRetentionHours) h, and expired or revoked user sessions, in batches of \(configuration.batchSize)\(cleanup.dryRun ? " (dry run)" : "")")
            }
            try withJSONFailure(json: cleanup.json) { () throws(JobError) in
                let outcome = try jobs.cleanupAuth(on: database, options: cleanup.cleanupOptions(configuration))
                if cleanup.json {
                    print(APIResponse.body(for: .cleanupAuth(outcome)).serialized)
                    return
                }
                let verb = outcome.dryRun ? "would delete" : "deleted"
                print("\(outcome.dryRun ? "Dry run" : "Cleanup completed"): \(verb) \(outcome.loginAttempts) login attempt(s), \(outcome.authAuditLog) auth audit entr\(outcome.authAuditLog == 1 ? "y" : "ies"), \(outcome.userSessions) user session(s)")
                if outcome.hasMore { print("Stopped at the time budget; run again to finish.") }
            }
        }
    }
}

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
        try runCommand {
            let configuration = try common.loadConfiguration()
            let logger = common.makeLogger(configuration, defaultLevel: .critical)
            let jobs = CleanupJobs(configuration: configuration, logger: logger)
            let database = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
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
                print(outcome.dryRun
                    ? "Dry run: \(outcome.deletedCount) expired session(s) would be deleted"
                    : "Successfully deleted \(outcome.deletedCount) expired session(s)")
                if outcome.hasMore { print("Stopped at the time budget; run again to finish.") }
                if stats { print("After: " + describe(try jobs.sessionStats(on: database))) }
            }
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count sessions: total, active (expires > now) and expired; changes nothing.",
        discussion: ExitStatus.helpText
    )

    @Flag(name: .long, help: "Print exactly the JSON body of GET /api/cron/cleanup-sessions, on one line.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runCommand {
            let configuration = try common.loadConfiguration()
            let jobs = CleanupJobs(configuration: configuration, logger: common.makeLogger(configuration, defaultLevel: .critical))
            let database = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
            try withJSONFailure(json: json) { () throws(JobError) in
                let stats = try jobs.sessionStats(on: database)
                print(json ? APIResponse.body(for: .sessionStats(stats)).serialized : describe(stats))
            }
        }
    }
}

/// With `--json`, a failure also prints the endpoint's failure body on
/// stdout, so a script reads the same JSON from either.
func withJSONFailure(json: Bool, _ body: () throws(JobError) -> Void) throws(JobError) {
    do {
        try body()
    } catch {
        if json { print(APIResponse.body(for: .failed(error)).serialized) }
        throw error
    }
}

func describe(_ stats: SessionStats) -> String {
    "total \(stats.total), active \(stats.active), expired \(stats.expired) (at \(stats.timestamp.iso8601))"
}

/// Progress of a long cleanup: rewritten in place on a terminal, a line at
/// most every second otherwise.
final class ProgressPrinter: Sendable {
    private let onTerminal = isatty(1) == 1
    private let lastPrinted = Mutex<ContinuousClock.Instant?>(nil)

    func report(table: String, deleted: Int) {
        let due = lastPrinted.withLock { last -> Bool in
            if let last, last.duration(to: .now) < (onTerminal ? .milliseconds(100) : .seconds(1)) { return false }
            last = .now
            return true
        }
        guard due else { return }
        if onTerminal {
            print("\r\(table): \(deleted) row(s) deleted", terminator: "")
            fflush(nil)
        } else {
            print("\(table): \(deleted) row(s) deleted so far")
        }
    }
}
