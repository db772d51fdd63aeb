import ArgumentParser
import AuthSweep

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the effective configuration, the secret, the database, its tables, columns and index, and the socket paths.",
        discussion: ExitStatus.helpText
    )

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runCommand {
            let configuration = try common.loadConfiguration()
            let report = Doctor(configuration: configuration, environment: .current()).examine()
            for finding in report.findings {
                print("\(finding.ok ? "ok     " : "PROBLEM") \(finding.message)")
                if let fix = finding.fix { print("        fix: \(fix)") }
            }
            let problems = report.findings.filter { !$0.ok }.count
            guard problems == 0 else {
                throw fail("check found \(problems) problem(s)", code: report.databaseReachable ? ExitStatus.jobFailed : ExitStatus.databaseUnavailable)
            }
            print("All checks passed.")
        }
    }
}

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
            print("DATABASE_URL = \(configuration.maskedDatabaseURL ?? "(unset: libpq's PG* variables apply)")")
            let environment = Environment.current()
            for name in ["CRON_SECRET", "CRON_SECRET_PREVIOUS"] {
                let source = environment[name].map { _ in "set" } ?? environment[name + "_FILE"].map { "from file \($0)" } ?? "unset"
                print("\(name) = \(source == "unset" ? "(unset)" : "**** (\(source))")")
            }
        }
    }
}
