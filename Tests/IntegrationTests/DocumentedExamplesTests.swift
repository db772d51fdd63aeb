import Foundation
import TestSupport
import Testing

/// The command lines the documents and man pages show, run as written
/// against a test database holding the example schema and data: an example
/// that no longer runs (an option renamed, a command gone) fails here.
@Suite("the documented examples run", .serialized)
struct DocumentedExamplesTests {
    static let root = PackagePaths.root

    /// README.md and every page under docs/, by path.
    static func documents() throws -> [String] {
        let docs = FileManager.default.subpaths(atPath: root + "/docs") ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// The lines of each fenced block just below a `marker` line.
    static func blocks(after marker: String) throws -> [(place: String, lines: [String])] {
        var found: [(place: String, lines: [String])] = []
        for document in try documents() {
            let lines = try String(contentsOfFile: root + "/" + document, encoding: .utf8).components(separatedBy: "\n")
            for (index, line) in lines.enumerated() where line == marker && index + 1 < lines.count && lines[index + 1].hasPrefix("```") {
                let body = lines[(index + 2)...].prefix { !$0.hasPrefix("```") }
                found.append(("\(document):\(index + 2)", Array(body)))
            }
        }
        return found
    }

    /// The `<!-- runnable -->` blocks' commands, and every man page's
    /// example of a command that ends (all but `serve`; `systemctl` is not
    /// ours to run).
    static func examples() throws -> [(place: String, command: String)] {
        var examples: [(place: String, command: String)] = []
        for block in try blocks(after: "<!-- runnable -->") {
            examples += block.lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { (block.place, $0) }
        }
        let manual = try authsweep(["manual", "--examples"], database: nil)
        for line in manual.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard fields.count == 2, fields[1].contains("authsweep "), !fields[1].contains(" serve "), !fields[1].hasPrefix("systemctl") else { continue }
            examples.append(("man \(fields[0])", fields[1]))
        }
        return examples
    }

    @Test("every runnable example of the documents and the man pages exits 0 against the example database")
    func examplesRun() throws {
        let examples = try Self.examples()
        #expect(examples.filter { !$0.place.hasPrefix("man ") }.count >= 8, "the documents' runnable blocks were not found")
        #expect(examples.filter { $0.place.hasPrefix("man ") }.count >= 18, "the man pages' examples were not found")
        let scratch = try ScratchDirectory("examples")
        let database = try TestDatabase.fresh("examples")
        let demoData = try String(contentsOfFile: Self.root + "/deploy/demo-data.sql", encoding: .utf8)
        let secretFile = try scratch.file(containing: "examples-secret-0123456789abcdef\n")
        let configFile = try scratch.file(containing: "# the defaults\n")
        let binaries = (PackagePaths.binary as NSString).deletingLastPathComponent
        // One of user-bob's live sessions in the example data ('sess-active-1').
        let bobsSession = try ChildProcess.run("/bin/bash", ["-c", "printf active1 | md5sum | cut -d' ' -f1"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        for example in examples {
            // Each on the example data as it is first loaded (one example's
            // revoked session is not missing from the next), on a host whose
            // timer has run the cleanups once (`status` finds them fresh).
            try database.resetSchema()
            try database.execute(demoData)
            let timerRun = try authsweep(["cleanup-all"], database: database, environment: ["AUTHSWEEP_CONFIG": configFile])
            try #require(timerRun.status == 0, "\(timerRun.stderr)")
            // As the documents run them on a host with the package: the
            // service's user (here the test's), its secret file.
            let command = example.command.replacingOccurrences(of: "sudo -u authsweep ", with: "").replacingOccurrences(of: "sudo ", with: "")
                .replacingOccurrences(of: "/etc/authsweep/cron_secret", with: secretFile)
            var environment: [String: String?] = database.environment.mapValues { $0 }
            environment["PATH"] = binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            environment["AUTHSWEEP_ENV_FILE"] = ""
            environment["AUTHSWEEP_CONFIG"] = configFile
            environment["CRON_SECRET_FILE"] = secretFile
            environment["SESSION_TOKEN"] = bobsSession
            let result = try ChildProcess.run("/bin/bash", ["-c", "set -o pipefail; cd '\(scratch.path)' && " + command], environment: environment)
            #expect(result.status == 0, "\(example.place): `\(example.command)` exited \(result.status): \(result.stderr.suffix(400))")
        }
    }

    @Test("every option the command-line synopsis shows is one its subcommand's --help lists")
    func synopsisIsCurrent() throws {
        let synopsis = try #require(try Self.blocks(after: "<!-- synopsis -->").first, "docs/command-line.md has no <!-- synopsis --> block")
        #expect(synopsis.lines.count >= 15)
        for line in synopsis.lines where line.hasPrefix("authsweep ") {
            let words = line.split(separator: " ").map(String.init)
            let command = Array(words.dropFirst().prefix { !$0.hasPrefix("[") && !$0.hasPrefix("-") && $0 == $0.lowercased() && !$0.contains("<") })
            let help = try authsweep(command + ["--help"], database: nil)
            #expect(help.status == 0, "\(line): `authsweep \(command.joined(separator: " ")) --help` exited \(help.status)")
            for option in line.matches(of: /--[a-z-]+/).map({ String($0.output) }) {
                #expect(help.stdout.contains(option), "\(synopsis.place): \(line) shows \(option), which --help does not list")
            }
        }
    }
}
