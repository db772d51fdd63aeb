import Foundation

// What every test target may share without a socket, a server or the
// built binary: scratch directories, the package's paths, the setup error,
// a wait, the contract's timestamp shape. The unit tests use this alone;
// TestSupport (servers, clients, databases) builds on it.

/// A scratch directory that nginx's workers (www-data when the tests run as
/// root) can traverse, removed with the object.
public final class ScratchDirectory: Sendable {
    public let path: String

    public init(_ label: String) throws {
        path = NSTemporaryDirectory() + "authsweep-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    }

    /// A new file in the directory holding `text`; its path.
    public func file(containing text: String) throws -> String {
        let file = path + "/" + UUID().uuidString
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The test environment is not what the tests need.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Paths inside the package checkout.
public enum PackagePaths {
    /// The package root, found from this file's path.
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `authsweep` executable that `swift build` made.
    public static var binary: String {
        ProcessInfo.processInfo.environment["AUTHSWEEP_BINARY"] ?? root + "/.build/debug/authsweep"
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
public func waitFor(_ what: String, seconds: Double = 10, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { throw TestSetupError("timed out waiting for \(what)") }
        usleep(20_000)
    }
}

/// Whether `text` is a timestamp as the contract writes it: UTC,
/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, always three fraction digits.
public func isISOTimestamp(_ text: String) -> Bool {
    (try? #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#.wholeMatch(in: text)) != nil
}
