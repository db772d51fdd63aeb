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
            let report = InstallationCheck(configuration: configuration, environment: .current()).examine()
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
