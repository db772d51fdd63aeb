public import Foundation

/// A program run by a test: either to completion, or in the background
/// until the test stops it. Spawned with posix_spawn and reaped with
/// waitpid, so no run loop or signal handler is involved.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: the cached exit status is guarded by `lock`.
    public let processIdentifier: pid_t
    private let stdoutPath: String
    private let stderrPath: String
    private let lock = NSLock()
    private var status: Int32?
    /// With `conversing`: the write end of the child's stdin and the read end of its stdout.
    private var conversation: (input: Int32, output: Int32)?
    private var received: [UInt8] = []

    /// Starts `executable` with `arguments`, adding `environment` to this
    /// process's environment (a nil value removes a variable). The child
    /// starts with every signal unblocked and at its default action, as
    /// from a shell (the test runner's threads block some, and a child
    /// would inherit that); with `ownProcessGroup` it leads a process group
    /// of its own, which `signalGroup` reaches as a terminal's Ctrl-C does.
    /// `inputDescriptor` becomes the child's fd 0, as spawn-fcgi hands a
    /// worker its listening socket.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], ownProcessGroup: Bool = false, standardInput: String? = nil,
        inputDescriptor: Int32? = nil, conversing: Bool = false
    ) throws {
        var merged = ProcessInfo.processInfo.environment
        // Under AddressSanitizer the test runner itself runs without leak
        // checks (XCTest and Foundation keep allocations until exit); the
        // authsweep binaries it starts get their own, stricter options.
        if executable == PackagePaths.binary, let options = merged["AUTHSWEEP_BINARY_ASAN_OPTIONS"] {
            merged["ASAN_OPTIONS"] = options
        }
        for (name, value) in environment { merged[name] = value }
        let base = NSTemporaryDirectory() + "authsweep-child-\(UUID().uuidString)"
        stdoutPath = base + ".out"
        stderrPath = base + ".err"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputPath = "/dev/null"
        if let standardInput {
            inputPath = base + ".in"
            try standardInput.write(toFile: inputPath, atomically: true, encoding: .utf8)
        }
        defer { if standardInput != nil { unlink(inputPath) } }
        // Conversing: line by line through two pipes (`say`, `hear`).
        var toChild: [Int32] = [-1, -1]
        var fromChild: [Int32] = [-1, -1]
        if conversing {
            guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else { throw TestSetupError("pipe failed") }
            // The test runner's other children must not inherit the ends.
            (toChild + fromChild).forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        } else if let inputDescriptor {
            posix_spawn_file_actions_adddup2(&actions, inputDescriptor, 0)
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Only stdin, stdout and stderr: tests running beside this one hold
        // sockets and pipes (a thousand at times) that would otherwise fill
        // the child's descriptor table (PgBouncer then refused every client).
        Self.closeFromThree(&actions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if conversing {
            close(toChild[0])
            close(fromChild[1])
        }
        guard result == 0 else {
            if conversing { [toChild[1], fromChild[0]].forEach { close($0) } }
            throw TestSetupError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
        if conversing { conversation = (toChild[1], fromChild[0]) }
    }

    /// Writes one line to a conversing child's stdin.
    public func say(_ line: String) throws {
        guard let conversation else { throw TestSetupError("not a conversing child") }
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(conversation.input, $0.baseAddress, $0.count) }
            guard count > 0 else { throw TestSetupError("the child closed its stdin: \(standardError)") }
            written += count
        }
    }

    /// Reads one line of a conversing child's stdout, waiting up to `timeout` seconds.
    public func hear(timeout: Double = 120) throws -> String {
        guard let conversation else { throw TestSetupError("not a conversing child") }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: received[..<newline], as: UTF8.self)
                received.removeSubrange(...newline)
                return line
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw TestSetupError("no answer within \(timeout) s; stderr: \(standardError)") }
            var descriptor = pollfd(fd: conversation.output, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&descriptor, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(conversation.output, &buffer, buffer.count)
            guard count > 0 else { throw TestSetupError("the child closed its stdout (exit \(exitStatus)): \(standardError)") }
            received += buffer[..<count]
        }
    }

    /// Runs to completion and returns the exit status and output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:], standardInput: String? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess(executable, arguments, environment: environment, standardInput: standardInput)
        child.waitUntilExit()
        return (child.exitStatus, child.standardOutput, child.standardError)
    }

    /// Reaps the child if it has exited; `block` waits for it.
    private func poll(block: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(processIdentifier, &raw, block ? 0 : WNOHANG)
        } while result == -1 && errno == EINTR
        guard result == processIdentifier else { return nil }
        // Exit code, or 128 + the signal that killed it.
        let signal = raw & 0x7f
        status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return status
    }

    public var isRunning: Bool { poll(block: false) == nil }

    public func waitUntilExit() { _ = poll(block: true) }

    /// Waits up to `seconds` for the process to exit; true if it did.
    public func waitUntilExit(timeout seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { usleep(10_000) }
        return !isRunning
    }

    public func signal(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Sends `signal` to the child's whole process group (see
    /// `ownProcessGroup`).
    public func signalGroup(_ signal: Int32) {
        kill(-processIdentifier, signal)
    }

    /// The exit status, or 128 + signal number if it was killed; -1 while running.
    public var exitStatus: Int32 { poll(block: false) ?? -1 }

    public var standardOutput: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    deinit {
        if let conversation {
            // End of input: a driver exits by itself.
            close(conversation.input)
            close(conversation.output)
            _ = waitUntilExit(timeout: 5)
        }
        if poll(block: false) == nil {
            kill(processIdentifier, SIGKILL)
            _ = poll(block: true)
        }
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }
}

extension ChildProcess {
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later),
    /// which Swift's Glibc module does not show: found at run time.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// The child closes every descriptor from 3 on (where glibc can).
    static func closeFromThree(_ actions: inout posix_spawn_file_actions_t) {
        _ = addCloseFrom?(&actions, 3)
    }
}
