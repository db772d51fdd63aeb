import ArgumentParser
import AuthSweep
import Logging

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Config file (table names, retention, batching).", discussion: "Default: $AUTHSWEEP_CONFIG, else \(Configuration.defaultPath) if it exists.",
            valueName: "PATH"),
        completion: .file(extensions: ["conf"]))
    var config: String?

    @Option(
        name: .long, help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error or critical.", valueName: "LEVEL"),
        completion: .list(["trace", "debug", "info", "notice", "warning", "error", "critical"]))
    var logLevel: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Environment file whose variables apply where the environment has none (DATABASE_URL, PG*, AUTHSWEEP_*).",
            discussion:
                "Default: $AUTHSWEEP_ENV_FILE, else \(EnvironmentFile.defaultPath) if it exists (the service's own), so that a command sees what the service sees; '' reads none. serve reads one only when given this option (systemd hands the service its environment).",
            valueName: "PATH"),
        completion: .file())
    var envFile: String?

    /// The effective configuration: defaults, the file, then the environment
    /// (with the environment file's variables added where unset).
    /// - Parameter readingDefaultEnvironmentFile: false for `serve`, which
    ///   reads an environment file only when `--env-file` names one.
    func loadConfiguration(readingDefaultEnvironmentFile: Bool = true) throws(ConfigurationError) -> Configuration {
        if readingDefaultEnvironmentFile || envFile != nil {
            try EnvironmentFile.load(explicitPath: envFile, environment: .current())?.applyToProcessEnvironment()
        }
        var configuration = try Configuration.load(path: config, environment: .current())
        try configuration.checkDatabaseURLs()
        if let logLevel {
            try configuration.apply(key: "log.level", value: logLevel, origin: "--log-level")
        }
        return configuration
    }

    /// The logger every part of this run is given, writing to stderr (in the
    /// journal's native protocol when stderr is the journal). The one-shot
    /// commands log only what was asked for, so that a failure is one line
    /// on a terminal or in cron's mail; under systemd they log warnings too:
    /// a timer's run has nobody watching its terminal, and a success stays
    /// quiet. The handler is the logger's own, not swift-log's global one:
    /// nothing depends on the process-wide logging system being set up once.
    func makeLogger(_ configuration: Configuration, defaultLevel: Logger.Level) -> Logger {
        let journal = JournalLogHandler.standardErrorIsJournal()
        let level = logLevel.flatMap(Logger.Level.init(rawValue:)) ?? (journal ? min(defaultLevel, .warning) : defaultLevel)
        return Logger(label: "authsweep") { label in
            if journal { return JournalLogHandler(logLevel: level, label: label) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
