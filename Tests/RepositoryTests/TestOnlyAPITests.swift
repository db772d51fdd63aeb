import Foundation
import TestSupport
import Testing

/// What only tests use is marked so and kept apart: each target's
/// test-only API is `@_spi(ForTesting)`, in its `ForTesting/` folder, and
/// no production source opens that door.
@Suite("test-only API")
struct TestOnlyAPITests {
    /// Every Swift file under Sources/, relative to the package, with its text.
    static func sources() throws -> [(path: String, text: String)] {
        try SourceSizeTests.sources().map { ($0, try String(contentsOfFile: PackagePaths.root + "/" + $0, encoding: .utf8)) }
    }

    @Test("@_spi(ForTesting) declarations live only in ForTesting/ folders, and every public one there is marked so")
    func keptApart() throws {
        var marked = 0
        for (path, text) in try Self.sources() {
            let inFolder = path.contains("/ForTesting/")
            for line in text.split(separator: "\n") where !line.trimmingPrefix(" ").hasPrefix("//") {
                let spi = line.contains("@_spi(ForTesting)")
                if spi { marked += 1 }
                #expect(!spi || inFolder, "\(path): test-only API outside a ForTesting/ folder: \(line)")
                #expect(!inFolder || !line.contains("public ") || spi, "\(path): public API in a ForTesting/ folder without @_spi(ForTesting): \(line)")
            }
        }
        #expect(marked >= 7, "the test-only API found: \(marked) declarations")
    }

    @Test("no production source imports a target's test-only API")
    func notImported() throws {
        for (path, text) in try Self.sources() {
            #expect(!text.contains("@_spi(ForTesting) import") && !text.contains("@_spi(ForTesting) @testable"), "\(path)")
        }
    }
}
