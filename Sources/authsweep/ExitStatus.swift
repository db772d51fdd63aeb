import ArgumentParser
import AuthSweep
import Logging
import Postgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exit statuses shared by every subcommand (sysexits, as cron and systemd expect).
enum ExitStatus {
    static let jobFailed: Int32 = 1
    static let usage: Int32 = 64
    static let databaseUnavailable: Int32 = 69
    static let alreadyRunning: Int32 = 75

    /// What each status means where a command gives it no meaning of its own.
    static let meanings: [Int32: String] = [
        0: "done",
        jobFailed: "the job failed (a query failed, a user or session does not exist)",
        usage: "bad usage or configuration",
        databaseUnavailable: "the database cannot be reached or the connection to it broke",
        alreadyRunning: "the same cleanup is already running elsewhere (try again later)",
    ]

    /// Every status a command of authsweep can end with.
    static let helpText = help([0, jobFailed, usage, databaseUnavailable, alreadyRunning])

    /// "Exit status: 0 done; 1 ...": the statuses one command can end with,
    /// in its `--help` and its man page; `own` for meanings of its own.
    static func help(_ codes: [Int32], own: [Int32: String] = [:]) -> String {
        "Exit status: " + codes.map { "\($0) \(own[$0] ?? meanings[$0] ?? "")" }.joined(separator: "; ") + "."
    }

    static func code(for error: JobError) -> Int32 {
        switch error {
        case .alreadyRunning: alreadyRunning
        // Could not connect, or the connection broke (a failover, a restart):
        // the database is unavailable, not the job wrong.
        case .database(let failure) where failure.kind == .connectionFailed || failure.kind == .connectionLost: databaseUnavailable
        case .invalidArgument: usage
        case .database, .schema, .notFound: jobFailed
        }
    }
}

/// Prints one line on stderr saying why (one line whatever a name in it
/// holds), and exits with `code`; in the journal, at `err` priority.
func fail(_ message: String, code: Int32) -> ExitCode {
    let priority = JournalLogHandler.standardErrorIsJournal() ? "<\(JournalLogHandler.priority(.error))>" : ""
    writeStandardError("\(priority)authsweep: \(LogText.escaped(message))\n")
    return ExitCode(code)
}

/// Runs a job body, turning its errors into the one stderr line and the
/// exit status; configuration errors are bad usage.
func runCommand(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as JobError {
        throw fail(error.operatorDescription, code: ExitStatus.code(for: error))
    } catch let error as ConfigurationError {
        throw fail(error.description, code: ExitStatus.usage)
    }
}

/// Writes straight to fd 2 (the C `stderr` global is not concurrency-safe).
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}
