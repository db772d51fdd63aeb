import ArgumentParser
import AuthSweep
import Logging
import Pings

/// Loads the configuration and runs one administration command.
func runAdmin(_ common: CommonOptions, _ body: (SessionAdministration, DatabaseSession) throws(JobError) -> Void) throws {
    try runCommand {
        var configuration = try common.loadConfiguration()
        // The administration role, which may change users, when it has a connection of its own.
        if let administrationURL = configuration.administrationDatabaseURL { configuration.databaseURL = administrationURL }
        let administration = SessionAdministration(configuration: configuration, logger: common.makeLogger(configuration, defaultLevel: .critical))
        try body(administration, DatabaseSession(settings: DatabaseSettings(configuration: configuration)))
    }
}

/// Loads the configuration and runs one cleanup or stats command: the jobs,
/// a database session, and the configuration they came from.
func runJob(_ common: CommonOptions, _ body: (CleanupJobs, DatabaseSession, Configuration) throws -> Void) throws {
    try runCommand {
        let configuration = try common.loadConfiguration()
        let logger = common.makeLogger(configuration, defaultLevel: .critical)
        let jobs = CleanupJobs(
            configuration: configuration, logger: logger,
            observers: configuration.monitorPingURL.map { [DeadManPings(base: $0, style: configuration.monitorPingStyle, logger: logger)] } ?? [])
        try body(jobs, DatabaseSession(settings: DatabaseSettings(configuration: configuration)), configuration)
    }
}
