import Foundation
import TestSupport
import Testing

/// The unit tests run without a socket, a server or the built binary:
/// their targets share only Fixtures, which itself opens no socket.
@Suite("the unit tests' fixtures")
struct UnitTestFixturesTests {
    static let unitTargets = ["FastCGITests", "PostgresTests", "AuthSweepTests", "CronAPITests"]

    @Test("no unit test target depends on TestSupport, and Fixtures depends on nothing and opens no socket")
    func socketFree() throws {
        let package = try String(contentsOfFile: PackagePaths.root + "/Package.swift", encoding: .utf8)
        for target in Self.unitTargets {
            let dependencies = DomainLayerTests.dependencies(of: target, in: package)
            #expect(!dependencies.isEmpty, "\(target) not found in Package.swift")
            #expect(!dependencies.contains("TestSupport"), "\(target) depends on TestSupport: \(dependencies.sorted())")
        }
        #expect(package.contains(#".target(name: "Fixtures", path: "Tests/Fixtures")"#), "Fixtures declares no dependency")
        let directory = PackagePaths.root + "/Tests/Fixtures"
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                #expect(line == "import Foundation", "Tests/Fixtures/\(file): \(line)")
            }
            #expect(!text.contains("socket(") && !text.contains("connect("), "Tests/Fixtures/\(file) opens a socket")
        }
    }
}
