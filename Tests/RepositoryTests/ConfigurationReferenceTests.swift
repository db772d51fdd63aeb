import Foundation
import TestSupport
import Testing

/// docs/configuration.md's table is the one the code makes from its own
/// key table: a key added, renamed, given another default or environment
/// name, or left without a meaning fails here.
@Suite("the configuration reference")
struct ConfigurationReferenceTests {
    @Test("docs/configuration.md holds exactly what authsweep config --reference prints: every key, its environment variable, default and meaning")
    func pageMatchesCode() throws {
        let generated = try ChildProcess.run(PackagePaths.binary, ["config", "--reference"], environment: ["AUTHSWEEP_ENV_FILE": ""])
        #expect(generated.status == 0, "\(generated.stderr)")
        let page = try RepositoryTests.read("docs/configuration.md")
        let start = try #require(page.range(of: "<!-- reference:start -->\n")), end = try #require(page.range(of: "<!-- reference:end -->"))
        let table = String(page[start.upperBound..<end.lowerBound])
        #expect(table == generated.stdout, "docs/configuration.md differs from the code: put in the output of authsweep config --reference")
        // Every row has a meaning, and the table has every key authsweep config shows.
        let rows = generated.stdout.split(separator: "\n").dropFirst(2)
        #expect(rows.allSatisfy { !$0.hasSuffix("|  |") }, "a key without a meaning")
        let shown = try ChildProcess.run(PackagePaths.binary, ["config"], environment: ["AUTHSWEEP_ENV_FILE": ""]).stdout
            .split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains(" = ") }
            .map { String($0.split(separator: " ")[0]) }.filter { $0.contains(".") }
        #expect(shown.count > 60)
        for key in shown { #expect(table.contains("| `\(key)` |"), "\(key)") }
    }
}
