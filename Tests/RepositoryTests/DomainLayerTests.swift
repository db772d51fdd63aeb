import Foundation
import TestSupport
import Testing

/// Which types each folder of a source tree names from the other folders.
///
/// How it works: every Swift file of a folder (and its subfolders) is read;
/// the types a folder declares are the names after `struct`, `class`,
/// `enum`, `protocol`, `actor` or `typealias` at the start of a line (top
/// level only: a nested type is reached through its outer one). Then each
/// file, with its comments removed, is searched for the other folders' type
/// names as whole words. A file that names a type of another folder depends
/// on that folder. String literals are kept: a type named inside an
/// interpolation is used as much as one named outside.
struct FolderReferences {
    /// One use of another folder's type: the file (relative to the tree) and the type.
    struct Use: CustomStringConvertible {
        var file: String
        var type: String
        var description: String { "\(file) names \(type)" }
    }

    /// `uses[from][to]`: what folder `from` names of folder `to`.
    private var table: [String: [String: [Use]]] = [:]
    private(set) var folders: Set<String> = []

    init(tree: String) throws {
        let manager = FileManager.default
        var declared: [String: String] = [:]
        var sources: [(folder: String, file: String, code: String)] = []
        let declaration = try Regex(
            #"^(?:public |package |internal |private |fileprivate )?(?:final |indirect )?(?:struct|class|enum|protocol|actor|typealias) +([A-Za-z_][A-Za-z0-9_]*)"#
        )
        .anchorsMatchLineEndings()
        for folder in try manager.contentsOfDirectory(atPath: tree).sorted() {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: tree + "/" + folder, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            folders.insert(folder)
            let files = manager.enumerator(atPath: tree + "/" + folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files.sorted() {
                let text = try String(contentsOfFile: "\(tree)/\(folder)/\(file)", encoding: .utf8)
                for match in text.matches(of: declaration) {
                    if let name = match.output[1].substring { declared[String(name)] = folder }
                }
                sources.append((folder, "\(folder)/\(file)", Self.removingComments(text)))
            }
        }
        for source in sources {
            let words = Set(source.code.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init))
            for word in words.sorted() {
                guard let owner = declared[word], owner != source.folder else { continue }
                table[source.folder, default: [:]][owner, default: []].append(Use(file: source.file, type: word))
            }
        }
    }

    /// `//` line comments (doc comments included) and `/* */` blocks, removed.
    static func removingComments(_ text: String) -> String {
        var code = text.replacing(try! Regex(#"/\*[\s\S]*?\*/"#), with: "")
        code = code.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            // A `//` inside a string literal (a URL) is not a comment: an
            // odd number of quotes before it.
            for range in line.ranges(of: "//") where line[..<range.lowerBound].filter({ $0 == "\"" }).count % 2 == 0 {
                return String(line[..<range.lowerBound])
            }
            return String(line)
        }.joined(separator: "\n")
        return code
    }

    /// Pairs of folders that name each other's types.
    var twoWay: [(String, String, [Use], [Use])] {
        var pairs: [(String, String, [Use], [Use])] = []
        for (from, targets) in table.sorted(by: { $0.key < $1.key }) {
            for (to, forward) in targets.sorted(by: { $0.key < $1.key }) where from < to {
                if let backward = table[to]?[from] { pairs.append((from, to, forward, backward)) }
            }
        }
        return pairs
    }

    func uses(from folder: String) -> [String: [Use]] { table[folder] ?? [:] }
}

/// The domain target's folders are layers: a folder names types of the
/// folders below it, never of one above or beside it.
@Suite("the domain's layers")
struct DomainLayerTests {
    static let domain = PackagePaths.root + "/Sources/AuthSweep"

    /// Bottom first. Folders on one line are beside each other: neither
    /// names the other's types.
    static let layers: [[String]] = [
        ["Vocabulary"],
        ["Configuration"],
        ["Database"],
        ["Metrics", "Monitoring"],
        ["Cleanup"],
        ["Administration", "Diagnostics"],
        // Test-only API, behind @_spi(ForTesting): above everything, used by nothing.
        ["ForTesting"],
    ]

    static func layer(of folder: String) -> Int? {
        layers.firstIndex { $0.contains(folder) }
    }

    @Test("no two folders of the domain name each other's types")
    func noTwoWayDependency() throws {
        let references = try FolderReferences(tree: Self.domain)
        for (first, second, forward, backward) in references.twoWay {
            Issue.record("\(first) and \(second) use each other: \(forward.prefix(3)); \(backward.prefix(3))")
        }
    }

    @Test("every folder is in a layer, and names only the types of layers below its own")
    func referencesGoDown() throws {
        let references = try FolderReferences(tree: Self.domain)
        for folder in references.folders.sorted() {
            guard let own = Self.layer(of: folder) else {
                Issue.record("Sources/AuthSweep/\(folder) is in no layer: add it to DomainLayerTests.layers")
                continue
            }
            for (target, uses) in references.uses(from: folder) {
                guard let other = Self.layer(of: target), other < own else {
                    Issue.record("\(folder) may not use \(target) (a layer at or above its own): \(uses.prefix(3))")
                    continue
                }
            }
        }
    }

    @Test("only the worker's command imports the HTTP layer: the cleanups, their pings and every other command do not")
    func commandsWithoutHTTP() throws {
        let commands = PackagePaths.root + "/Sources/authsweep"
        let files = try FileManager.default.contentsOfDirectory(atPath: commands).filter { $0.hasSuffix(".swift") }
        #expect(files.contains("CleanupAllCommand.swift") && files.contains("ServeCommand.swift"))
        for file in files.sorted() where file != "ServeCommand.swift" {
            let text = try String(contentsOfFile: commands + "/" + file, encoding: .utf8)
            #expect(!text.contains("import CronAPI"), "Sources/authsweep/\(file) imports CronAPI")
        }
        let package = try String(contentsOfFile: PackagePaths.root + "/Package.swift", encoding: .utf8)
        let pings = try #require(package.firstRange(of: #/name: "Pings",\s*dependencies: \[[^\]]*\]/#))
        #expect(!package[pings].contains("CronAPI") && !package[pings].contains("FastCGI"))
    }

    @Test("every module a target's sources import is a dependency it declares in Package.swift")
    func importsAreDeclared() throws {
        let manager = FileManager.default
        let package = try String(contentsOfFile: PackagePaths.root + "/Package.swift", encoding: .utf8)
        // The system's and the toolchain's own modules need no declaration.
        let system: Set<String> = ["Glibc", "Musl", "Foundation", "Synchronization", "Dispatch"]
        let importLine = try Regex(#"^(?:public |package |internal )?import ([A-Za-z_]+)$"#).anchorsMatchLineEndings()
        let sources = PackagePaths.root + "/Sources"
        var checked = 0
        for target in try manager.contentsOfDirectory(atPath: sources).sorted() {
            let files = manager.enumerator(atPath: sources + "/" + target)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            guard !files.isEmpty else { continue }
            let declared = Self.dependencies(of: target, in: package)
            for file in files {
                let text = try String(contentsOfFile: "\(sources)/\(target)/\(file)", encoding: .utf8)
                for match in text.matches(of: importLine) {
                    let module = String(match.output[1].substring ?? "")
                    guard !system.contains(module) else { continue }
                    checked += 1
                    #expect(declared.contains(module), "Sources/\(target)/\(file) imports \(module), which Package.swift does not give \(target)")
                }
            }
        }
        #expect(checked > 100)
    }

    /// The target and product names in `target`'s `dependencies: [...]`.
    static func dependencies(of target: String, in package: String) -> Set<String> {
        // The target's name, then its dependency list as the next argument.
        for start in package.ranges(of: "name: \"\(target)\"") {
            let rest = package[start.upperBound...].drop { $0 == "," || $0.isWhitespace }
            guard rest.hasPrefix("dependencies: ["), let close = rest.firstIndex(of: "]") else { continue }
            let list = rest[rest.index(rest.startIndex, offsetBy: "dependencies: [".count)..<close]
            return Set(
                list.matches(of: #/(?:^|[\s,\[])"([A-Za-z_]+)"|\(name: "([A-Za-z_]+)"/#).compactMap { match in
                    (match.output.1 ?? match.output.2).map(String.init)
                })
        }
        return []
    }

    @Test("the check finds a two-way dependency and an upward reference")
    func checkFindsViolations() throws {
        let scratch = try ScratchDirectory("layers")
        let manager = FileManager.default
        for folder in ["Lower", "Upper"] { try manager.createDirectory(atPath: "\(scratch.path)/\(folder)", withIntermediateDirectories: true) }
        try "public enum Kind { case one }\n// Plan is only mentioned here.\nlet plan: Plan? = nil\n"
            .write(toFile: scratch.path + "/Lower/Kind.swift", atomically: true, encoding: .utf8)
        try "struct Plan {\n    let kind: Kind\n}\n/* Unused names no one: Ghost */\n"
            .write(toFile: scratch.path + "/Upper/Plan.swift", atomically: true, encoding: .utf8)
        let references = try FolderReferences(tree: scratch.path)
        #expect(references.twoWay.map { "\($0.0)-\($0.1)" } == ["Lower-Upper"])
        #expect(references.uses(from: "Lower")["Upper"]?.map(\.type) == ["Plan"])
        #expect(references.uses(from: "Upper")["Lower"]?.map(\.description) == ["Upper/Plan.swift names Kind"])
    }

    @Test("comments are not references, code and interpolations are")
    func commentsRemoved() {
        let code = FolderReferences.removingComments("let a = B() // C\n/* D\n E */ let url = \"https://x\" // F\nlet g = \"\\(H.name)\"")
        #expect(!code.contains("C") && !code.contains("D") && !code.contains("E") && !code.contains("F"))
        #expect(code.contains("B()") && code.contains("https://x") && code.contains("H.name"))
    }
}
