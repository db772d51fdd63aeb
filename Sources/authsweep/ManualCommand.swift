import ArgumentParser
import AuthSweep
import Foundation

/// Finishes the man pages for the package: swift-argument-parser's
/// generator writes each command's NAME, SYNOPSIS, DESCRIPTION and options
/// from the same text `--help` prints; this adds what an operator looks up
/// in a man page (OPTIONS as a section, ENVIRONMENT, FILES, the command's own
/// EXIT STATUS as its `--help` states it, EXAMPLES, SEE ALSO) and writes
/// authsweep.conf(5) from the key table the configuration is parsed with.
struct ManualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Write the finished man pages (used by scripts/package).",
        discussion: ExitStatus.help([0, ExitStatus.usage], own: [ExitStatus.usage: "a page could not be read or written"]),
        shouldDisplay: false
    )

    @Option(name: .long, help: ArgumentHelp("The pages `swift package generate-manual --multi-page` wrote.", valueName: "DIR"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Where to write the pages (section 1 and authsweep.conf.5).", valueName: "DIR"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("The pages' date, as YYYY-MM-DD.", valueName: "DATE"))
    var date: String?

    @Flag(name: .long, help: "Print every page's examples instead, a page name and a command line per line (the tests run them).")
    var examples = false

    func validate() throws {
        guard !examples else { return }
        guard output != nil, let date, ManualPage.mdocDate(date) != nil else { throw ValidationError("give --output DIR and --date YYYY-MM-DD") }
    }

    func run() throws {
        if examples {
            for name in ManualContent.pageNames {
                for example in ManualContent.page(name).examples { print("\(name)\t\(example.command)") }
            }
            return
        }
        guard let output, let date else { return }
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: output, withIntermediateDirectories: true)
            try ManualPage.configurationPage(date: date).write(toFile: output + "/authsweep.conf.5", atomically: true, encoding: .utf8)
            guard let from else { return }
            // Only the commands a user sees: not this one, which the generator also writes.
            let pages = Set(ManualContent.pageNames.map { $0 + ".1" })
            for name in try files.contentsOfDirectory(atPath: from).sorted() where pages.contains(name) {
                let generated = try String(contentsOfFile: from + "/" + name, encoding: .utf8)
                let page = ManualPage.finished(generated, name: String(name.dropLast(2)))
                try page.write(toFile: output + "/" + name, atomically: true, encoding: .utf8)
            }
        } catch {
            throw fail("cannot write the man pages: \(error.localizedDescription)", code: ExitStatus.usage)
        }
    }
}
