import ArgumentParser
import AuthSweep

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Options of the one-shot cleanup commands.
struct CleanupRunOptions: ParsableArguments {
    @Flag(name: .long, help: "Count what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Tell what is done as it goes (progress on a terminal).")
    var verbose = false

    @Flag(name: .long, help: "Print exactly the JSON body the HTTP endpoint answers, on one line.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp("Stop between batches after this many seconds (default: cleanup.cli_time_budget_seconds, 0 = none).", valueName: "SECONDS"))
    var timeBudget: Int?

    /// Whether a successful run says so. Not when stdout is not a terminal
    /// (cron mails whatever a job prints, so it then mails only failures),
    /// unless --verbose; a dry run and --json always print.
    var reportsSuccess: Bool {
        json || dryRun || verbose || isatty(1) == 1
    }

    func cleanupOptions(_ configuration: Configuration) -> CleanupOptions {
        let budget = timeBudget ?? configuration.cliTimeBudgetSeconds
        return CleanupOptions(
            dryRun: dryRun,
            timeBudget: budget > 0 ? .seconds(budget) : nil,
            progress: verbose && !json ? ProgressPrinter().report : nil
        )
    }
}
