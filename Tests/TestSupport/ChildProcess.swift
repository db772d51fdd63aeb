import Foundation

/// A program run by a test: either to completion, or in the background
/// until the test stops it.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: Process is used from the test's thread only; the output
    // files are read after the process has exited.
    private let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `executable` with `arguments`, adding `environment` to this
    /// process's environment (a nil value removes a variable).
    public init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], standardInput: FileHandle? = nil) throws {
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        let base = NSTemporaryDirectory() + "authsweep-child-\(UUID().uuidString)"
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = merged
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = standardInput ?? FileHandle.nullDevice
        try process.run()
    }

    /// Runs to completion and returns the exit status and output.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String?] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        child.waitUntilExit()
        return (child.exitStatus, child.standardOutput, child.standardError)
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func waitUntilExit() { process.waitUntilExit() }

    /// Waits up to `seconds` for the process to exit; true if it did.
    public func waitUntilExit(timeout seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// The exit status, or 128 + signal number if it was killed.
    public var exitStatus: Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}
