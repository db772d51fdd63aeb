import AuthSweep
import Foundation
import TestSupport
import Testing

/// The framework pages (docs/frameworks/) say what the framework tests run with.
@Suite("the framework pages' settings for each framework")
struct ReadmeFrameworkTests {
    /// Every page under docs/frameworks/, in name order, one after the other.
    static func frameworkPages() throws -> String {
        let directory = PackagePaths.root + "/docs/frameworks"
        let pages = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".md") }.sorted()
        return try pages.map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
    }

    /// The framework pages' `# authsweep.env: NAME` blocks, by name: their lines.
    static func environmentBlocks() throws -> [String: [String]] {
        let readme = try frameworkPages()
        var blocks: [String: [String]] = [:]
        var current: String?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("# authsweep.env: ") {
                current = String(line.dropFirst("# authsweep.env: ".count))
                blocks[current!] = []
            } else if line.hasPrefix("```") {
                current = nil
            } else if let name = current {
                blocks[name, default: []].append(line)
            }
        }
        return blocks
    }

    @Test(
        "each framework's block sets exactly the settings its oracle test uses, with a DATABASE_URL in the framework's own form that authsweep reads",
        arguments: Frameworks.all)
    func block(framework: any SessionFramework) throws {
        let lines = try #require(try Self.environmentBlocks()[framework.name], "no '# authsweep.env: \(framework.name)' block in the framework pages")
        var settings: [String: String] = [:]
        for line in lines where !line.isEmpty {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            try #require(parts.count == 2, "not NAME=value: \(line)")
            settings[parts[0]] = parts[1]
        }
        let url = try #require(settings["DATABASE_URL"], "the block names no DATABASE_URL")
        settings["DATABASE_URL"] = nil
        #expect(throws: Never.self) { try DatabaseURL(parsing: url) }
        let tested = FrameworkOracle.environment(of: framework).compactMapValues { $0 }
        #expect(settings == tested, "the framework pages set \(settings), the test \(tested)")
    }

    @Test("the framework pages show the index statement check prints for each stock schema that has none", arguments: Frameworks.all)
    func indexStatement(framework: any SessionFramework) throws {
        let environment = try FrameworkOracle.stockDatabase(of: framework, label: "readme_index_" + framework.label)
        let check = try authsweep(["check"], database: nil, environment: environment)
        let statements = check.stdout.split(separator: "\n").compactMap { line in
            line.range(of: "CREATE INDEX CONCURRENTLY").map { String(line[$0.lowerBound...]) }
        }
        let readme = try Self.frameworkPages()
        for statement in statements {
            #expect(readme.contains(statement + "\n"), "the framework pages lack \(statement)")
        }
        let indexed: Set<SessionPreset> = [.django, .laravel, .rails]
        #expect(statements.isEmpty == indexed.contains(framework.preset), "\(framework.name): \(statements)")
    }
}
