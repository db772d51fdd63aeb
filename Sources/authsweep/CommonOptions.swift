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
                "Default: $AUTHSWEEP_ENV_FILE, else \(EnvironmentFile.defaultPath) if it exists (the service's own), so that a command sees what the service sees; '' reads none. serve reads one only when given this option (the package's unit names the service's own, so that a reload reads it again).",
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
        return try source.configuration(in: .current())
    }

    /// Where the configuration comes from, to read it again later (serve's reload).
    var source: ConfigurationSource {
        ConfigurationSource(configPath: config, logLevel: logLevel, environmentFile: envFile)
    }

    /// The logger every part of this run is given, writing to stderr (in the
    /// journal's native protocol when stderr is the journal). The one-shot
    /// commands log only what was asked for, so that a failure is one line
    /// on a terminal or in cron's mail; under systemd they log warnings too:
    /// a timer's run has nobody watching its terminal, and a success stays
    /// quiet. The handler is the logger's own, not swift-log's global one:
    /// nothing depends on the process-wide logging system being set up once.
    /// - Parameter control: where the level is kept, for serve's reload to change it.
    func makeLogger(_ configuration: Configuration, defaultLevel: Logger.Level, control: LogLevelControl? = nil) -> Logger {
        let journal = JournalLogHandler.standardErrorIsJournal()
        let level = self.level(defaultLevel: defaultLevel)
        control?.current = level
        return Logger(label: "authsweep") { label in
            var handler: any LogHandler
            if journal {
                handler = JournalLogHandler(logLevel: level, label: label)
            } else {
                handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
            }
            return control.map { SharedLevelLogHandler(control: $0, wrapping: handler) } ?? handler
        }
    }

    /// `--log-level`, else `defaultLevel` (under systemd, warnings at least).
    func level(defaultLevel: Logger.Level) -> Logger.Level {
        let journal = JournalLogHandler.standardErrorIsJournal()
        return logLevel.flatMap(Logger.Level.init(rawValue:)) ?? (journal ? min(defaultLevel, .warning) : defaultLevel)
    }
}

/// The files and options a configuration is read from.
struct ConfigurationSource: Sendable {
    var configPath: String?
    var logLevel: String?
    var environmentFile: String?

    /// The effective configuration in `environment`: defaults, the file,
    /// the environment, then `--log-level`.
    func configuration(in environment: Environment) throws(ConfigurationError) -> Configuration {
        var configuration = try Configuration.load(path: configPath, environment: environment)
        try configuration.checkDatabaseURLs()
        if let logLevel {
            try configuration.apply(key: "log.level", value: logLevel, origin: "--log-level")
        }
        return configuration
    }

    /// The configuration and secrets as the files say now, for a process
    /// that started with `startEnvironment` (before its environment file was
    /// applied): the environment file, when one was named, is read again
    /// and its variables apply where that environment has none, as at the
    /// start. The process environment itself is left alone (setenv is not
    /// thread-safe), so libpq's own PG* variables keep their start values.
    func reloaded(startEnvironment: Environment) throws(ConfigurationError) -> (Configuration, CronSecrets) {
        var environment = startEnvironment
        if let environmentFile, let file = try EnvironmentFile.load(explicitPath: environmentFile, environment: startEnvironment) {
            for (name, value) in file.variables where environment[name] == nil {
                environment.variables[name] = value
            }
        }
        return (try configuration(in: environment), try CronSecrets.load(from: environment))
    }
}
