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

    /// A new database session, as one responder thread or one CLI run has.
    func session() -> DatabaseSession {
        DatabaseSession(settings: DatabaseSettings(configuration: configuration))
    }
}
