import ArgumentParser
import AuthSweep

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count sessions: total, active (expires > now) and expired; changes nothing.",
        discussion: ExitStatus.help([0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable])
    )

    @Flag(name: .long, help: "Print exactly the JSON body of GET /api/cron/cleanup-sessions, on one line.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runJob(common) { jobs, database, _ in
            try withJSONFailure(json: json) { () throws(JobError) in
                let stats = try jobs.sessionStats(on: database)
                print(json ? stats.json.serialized : describe(stats))
            }
        }
    }
}
