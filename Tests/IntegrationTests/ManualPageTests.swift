import Foundation
import TestSupport
import Testing

/// authsweep.conf(5) as the package installs it: made from the key table
/// the configuration is parsed with, rendered by man without a warning.
@Suite("the man pages")
struct ManualPageTests {
    @Test("authsweep.conf(5) names every key of config --reference with its environment variable and default, and man renders it without a warning")
    func configurationPage() throws {
        let scratch = try ScratchDirectory("manual")
        let written = try authsweep(["manual", "--output", scratch.path, "--date", "2026-12-06"], database: nil)
        #expect(written.status == 0, "\(written.stderr)")
        let page = scratch.path + "/authsweep.conf.5"
        let rendered = try ChildProcess.run("/usr/bin/man", ["--warnings", "-l", page], environment: ["MANPAGER": "cat", "MANWIDTH": "1000"])
        #expect(rendered.status == 0)
        #expect(rendered.stderr.isEmpty, "man --warnings: \(rendered.stderr)")
        for section in ["NAME", "DESCRIPTION", "KEYS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"] {
            #expect(rendered.stdout.contains("\n\(section)\n"), "no \(section) section")
        }
        let reference = try authsweep(["config", "--reference"], database: nil).stdout
        let rows = reference.split(separator: "\n").dropFirst(2)
        #expect(rows.count > 40)
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
            let (key, variable, value) = (cells[0], cells[1], cells[2] == "(none)" ? "none" : cells[2])
            let entry = rendered.stdout.components(separatedBy: "\n     \(key)\n").dropFirst().first?.components(separatedBy: "\n\n").first
            #expect(entry?.contains("Environment: \(variable). Default: \(value).") == true, "\(key): \(entry ?? "not in the page")")
        }
    }
}
