import ArgumentParser
import AuthSweep

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration (defaults, config file, environment), secrets masked.",
        discussion: ExitStatus.help([0, ExitStatus.usage])
    )

    @Flag(
        name: .long,
        help:
            "Print the reference of every key instead: its environment variable, its default and its meaning (a Markdown table, as docs/configuration.md holds it)."
    )
    var reference = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        if reference {
            print(ConfigurationReference.markdown, terminator: "")
            return
        }
        try runCommand {
            let configuration = try common.loadConfiguration()
            print("# from \(configuration.sourcePath ?? "defaults (no config file)") and the environment")
            for (key, value) in configuration.settings {
                print("\(key) = \(value)")
            }
            for (name, url) in [("DATABASE_URL", configuration.databaseURL), ("ADMIN_DATABASE_URL", configuration.administrationDatabaseURL)] {
                guard let url, let parsed = try? DatabaseURL(parsing: url, variable: name) else {
                    let unset = name == "DATABASE_URL" ? "libpq's PG* variables apply" : "the sessions and users commands use DATABASE_URL"
                    print("\(name) = (unset: \(unset))")
                    continue
                }
                print("\(name) = \(Configuration.masked(parsed.connectionString))")
                for note in parsed.notes { print("# \(name): \(note)") }
            }
            let environment = Environment.current()
            for name in ["CRON_SECRET", "CRON_SECRET_PREVIOUS", "METRICS_TOKEN"] {
                let source = environment[name].map { _ in "set" } ?? environment[name + "_FILE"].map { "from file \($0)" } ?? "unset"
                print("\(name) = \(source == "unset" ? "(unset)" : "**** (\(source))")")
            }
        }
    }
}
