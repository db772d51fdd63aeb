import ArgumentParser
import AuthSweep

struct CleanupAllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup-all",
        abstract: "Run every enabled cleanup (cleanup-auth, then cleanup-sessions), each whatever the other did.",
        discussion: "Prints each job's outcome; the exit status is the first failed job's. "
            + ExitStatus.help(
                [0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable, ExitStatus.alreadyRunning],
                own: [0: "every job succeeded"])
    )

    @OptionGroup var cleanup: CleanupRunOptions
    @OptionGroup var common: CommonOptions

    func run() throws {
        try runJob(common) { jobs, database, configuration in
            let options = cleanup.cleanupOptions(configuration)
            var bodies: [(key: String, value: JSONValue)] = []
            var failures: [(kind: CleanupKind, error: JobError)] = []
            var lines: [String] = []
            // A job whose tables this database lacks (auth.enabled = auto) is
            // not run; one that cannot be looked at is, and says why it failed.
            let kinds = [CleanupKind.cleanupAuth, .cleanupSessions].filter { kind in
                (try? jobs.expectsRuns(of: kind, on: database)) ?? configuration.isEnabled(kind)
            }
            for kind in kinds {
                let body: JSONValue
                do throws(JobError) {
                    let outcome: CleanupOutcome =
                        switch kind {
                        case .cleanupAuth: .cleanupAuth(try jobs.cleanupAuth(on: database, options: options))
                        case .cleanupSessions: .cleanupSessions(try jobs.cleanupSessions(on: database, options: options))
                        }
                    body = outcome.json
                    lines.append("\(kind.rawValue): \(body.serialized)")
                } catch {
                    body = error.json
                    failures.append((kind, error))
                }
                bodies.append((kind.rawValue, body))
            }
            if cleanup.json {
                print(JSONValue.object(bodies).serialized)
            } else if cleanup.reportsSuccess || !failures.isEmpty {
                lines.forEach { print($0) }
            }
            // One line for every failure; the status is the first one's.
            if let first = failures.first {
                let line = failures.map { "\($0.kind.rawValue) failed: \($0.error.operatorDescription)" }.joined(separator: "; ")
                throw fail(line, code: ExitStatus.code(for: first.error))
            }
        }
    }
}
