import Foundation
import TestSupport
import Testing

/// Small files and short functions: a newcomer reads any one of them at a
/// glance, and a function too long to read is split into named steps.
@Suite("the size of sources")
struct SourceSizeTests {
    static let fileLimit = 250
    static let functionLimit = 60

    /// Every Swift file under Sources/, relative to the package.
    static func sources() -> [String] {
        let root = PackagePaths.root
        let files = FileManager.default.enumerator(atPath: root + "/Sources")?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".swift") }.sorted().map { "Sources/" + $0 }
    }

    /// Each function, initializer and deinitializer in `text`: its first
    /// line (1-based) and how many lines it spans, from its declaration to
    /// its closing brace. Braces in comments and string literals (single
    /// or multi-line) are not counted.
    static func functions(in text: String) -> [(line: Int, length: Int, declaration: String)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let declaration = try! Regex(
            #"^\s*(@\w+(\([^)]*\))?\s+)*((public|package|internal|private|fileprivate|static|class|override|mutating|nonmutating|final|nonisolated|convenience|required)\s+)*(func\s|init[(<?]|deinit\b)"#
        )
        var found: [(line: Int, length: Int, declaration: String)] = []
        for (index, line) in lines.enumerated() where line.firstMatch(of: declaration) != nil {
            var depth = 0
            var opened = false
            var inMultilineString = false
            var end = index
            scan: while end < lines.count {
                let code = lines[end]
                if code.components(separatedBy: "\"\"\"").count % 2 == 0 {
                    inMultilineString.toggle()
                    end += 1
                    continue
                }
                if inMultilineString {
                    end += 1
                    continue
                }
                for character in Self.code(of: code) {
                    if character == "{" {
                        depth += 1
                        opened = true
                    } else if character == "}" {
                        depth -= 1
                        if opened && depth == 0 { break scan }
                    }
                }
                // A declaration with no body (a protocol requirement).
                if !opened && end > index + 15 { break }
                end += 1
            }
            if opened { found.append((index + 1, end - index + 1, line.trimmingCharacters(in: .whitespaces))) }
        }
        return found
    }

    /// A line without its string literals and its `//` comment.
    static func code(of line: String) -> String {
        var result = ""
        var inString = false
        var previous: Character = " "
        var characters = line.makeIterator()
        while let character = characters.next() {
            if inString {
                if character == "\"" && previous != "\\" { inString = false }
                previous = previous == "\\" && character == "\\" ? " " : character
                continue
            }
            if character == "\"" {
                inString = true
                previous = character
                continue
            }
            if character == "/" && previous == "/" {
                result.removeLast()
                break
            }
            result.append(character)
            previous = character
        }
        return result
    }

    @Test("no source file is over 250 lines")
    func smallFiles() throws {
        let files = Self.sources()
        #expect(files.count > 50)
        for file in files {
            let lines = try String(contentsOfFile: PackagePaths.root + "/" + file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            // A file's last line ends with a newline: the empty piece after it is no line.
            let count = lines.last?.isEmpty == true ? lines.count - 1 : lines.count
            #expect(count <= Self.fileLimit, "\(file) has \(count) lines")
        }
    }

    @Test("no function in the sources is over 60 lines")
    func shortFunctions() throws {
        var counted = 0
        for file in Self.sources() {
            let text = try String(contentsOfFile: PackagePaths.root + "/" + file, encoding: .utf8)
            for function in Self.functions(in: text) {
                counted += 1
                #expect(function.length <= Self.functionLimit, "\(file):\(function.line) \(function.declaration) is \(function.length) lines")
            }
        }
        #expect(counted > 300)
    }

    @Test("the function finder skips braces in strings and comments, and measures from declaration to closing brace")
    func finderMeasures() {
        let text = """
            struct S {
                /// { in a comment
                @discardableResult
                public func first(_ a: Int) -> Int {  // }
                    let s = "}{"
                    let t = \"\"\"
                        } } }
                        \"\"\"
                    return a
                }

                init() {}
                private mutating func second() {
                    if true {
                        print("\\"}")
                    }
                }
            }
            """
        let found = Self.functions(in: text).map { "\($0.line):\($0.length)" }
        #expect(found == ["4:7", "12:1", "13:5"])
    }
}
