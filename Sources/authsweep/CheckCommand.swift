import ArgumentParser
import AuthSweep

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the effective configuration, the secret, the database, its tables, columns and index, and the socket paths.",
        discussion: ExitStatus.help(
            [0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable],
            own: [
                0: "no problem found (warnings may be printed)", ExitStatus.jobFailed: "a problem was found (each is printed with its fix)",
                ExitStatus.databaseUnavailable: "the database cannot be reached (everything else is still checked)",
            ])
    )

    @OptionGroup var common: CommonOptions

    func run() throws {
        try runCommand {
            let configuration = try common.loadConfiguration()
            let report = InstallationCheck(configuration: configuration, environment: .current()).examine()
            for finding in report.findings {
                let label =
                    switch finding.level {
                    case .ok: "ok     "
                    case .warning: "WARNING"
                    case .problem: "PROBLEM"
                    }
                print("\(label) \(finding.message)")
                if let fix = finding.fix { print("        fix: \(fix)") }
            }
            let problems = report.findings.filter { $0.level == .problem }.count
            guard problems == 0 else {
                throw fail("check found \(problems) problem(s)", code: report.databaseReachable ? ExitStatus.jobFailed : ExitStatus.databaseUnavailable)
            }
            let warnings = report.findings.filter { $0.level == .warning }.count
            print(warnings == 0 ? "All checks passed." : "All checks passed, with \(warnings) warning(s) above.")
        }
    }
}
