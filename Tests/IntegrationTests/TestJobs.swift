import AuthSweep
import InMemoryLogging
import Logging
import TestSupport

/// The jobs on a test database, with their log lines captured.
struct TestJobs {
    let database: TestDatabase
    let configuration: Configuration
    let logs = InMemoryLogHandler()

    init(_ database: TestDatabase, _ change: (inout Configuration) -> Void = { _ in }) {
        self.database = database
        configuration = database.configuration(change)
    }

    var logger: Logger {
        let handler = logs
        var logger = Logger(label: "test", factory: { _ in handler })
        logger.logLevel = .debug
        return logger
    }

    /// How the last cleanup walked its table ("index" or "sweep"), from its debug log.
    var scanUsed: String? {
        logs.entries.last { $0.message == "deleting" }.flatMap { $0.metadata["job.scan"].map { "\($0)" } }
    }

    var jobs: CleanupJobs { CleanupJobs(configuration: configuration, logger: logger) }
    var administration: SessionAdministration { SessionAdministration(configuration: configuration, logger: logger) }

    /// One cleanup-sessions run on a new database session.
    func cleanupSessions(_ options: CleanupOptions = CleanupOptions()) throws(JobError) -> CleanupOutcome.Sessions {
        try jobs.cleanupSessions(on: session(), options: options)
    }

    /// One cleanup-auth run on a new database session.
    func cleanupAuth(_ options: CleanupOptions = CleanupOptions()) throws(JobError) -> CleanupOutcome.Auth {
        try jobs.cleanupAuth(on: session(), options: options)
    }

    /// A new database session, as one responder thread or one CLI run has.
    func session() -> DatabaseSession {
        DatabaseSession(settings: DatabaseSettings(configuration: configuration))
    }
}
