import ArgumentParser
import AuthSweep

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show when each cleanup last ran and succeeded, wherever it ran; exit 1 when one is stale.",
        discussion: """
            A job is stale when it is enabled and has no success within monitor.stale_after_hours \
            (26 by default), never having run included. Reads the run records in authsweep_jobs.

            """
                + ExitStatus.help(
                    [0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable],
                    own: [0: "every enabled job is fresh", ExitStatus.jobFailed: "a job is stale (named on stderr)"])
    )

    @Flag(name: .long, help: "Print exactly the JSON body of GET /api/cron/status, on one line.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runJob(common) { jobs, database, configuration in
            let status = try jobs.status(on: database)
            if json {
                print(status.json.serialized)
            } else {
                for job in status.jobs {
                    let record = job.record
                    let state = !job.enabled ? "disabled" : status.staleJobs.contains(job.kind) ? "STALE" : "ok"
                    print(
                        "\(job.kind.rawValue): \(state); last run \(record.lastRun?.iso8601 ?? "never")"
                            + (record.lastResult.map { " (\($0))" } ?? "")
                            + ", last success \(record.lastSuccess?.iso8601 ?? "never")"
                            + (record.lastDeleted.map { ", \($0) deleted" } ?? ""))
                }
            }
            if status.isStale {
                let names = status.staleJobs.map(\.rawValue).joined(separator: ", ")
                throw fail("stale: \(names) (no success within \(configuration.staleAfterHours) h)", code: ExitStatus.jobFailed)
            }
        }
    }
}
