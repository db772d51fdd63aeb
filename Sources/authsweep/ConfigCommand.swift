import ArgumentParser
import AuthSweep

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration (defaults, config file, environment), secrets masked.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runCommand {
            let configuration = try common.loadConfiguration()
            print("# from \(configuration.sourcePath ?? "defaults (no config file)") and the environment")
            for (key, value) in configuration.settings {
                print("\(key) = \(value)")
            }
            print("DATABASE_URL = \(configuration.databaseURL.map(Configuration.masked) ?? "(unset: libpq's PG* variables apply)")")
            print(
                "ADMIN_DATABASE_URL = \(configuration.administrationDatabaseURL.map(Configuration.masked) ?? "(unset: the sessions and users commands use DATABASE_URL)")"
            )
            let environment = Environment.current()
            for name in ["CRON_SECRET", "CRON_SECRET_PREVIOUS", "METRICS_TOKEN"] {
                let source = environment[name].map { _ in "set" } ?? environment[name + "_FILE"].map { "from file \($0)" } ?? "unset"
                print("\(name) = \(source == "unset" ? "(unset)" : "**** (\(source))")")
            }
        }
    }
}
