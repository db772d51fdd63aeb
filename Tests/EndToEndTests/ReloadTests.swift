import Foundation
import TestSupport
import Testing

/// `systemctl reload` as systemd does it for a `Type=notify` unit: the test
/// is the service manager (a `NOTIFY_SOCKET` of its own) and sends SIGHUP
/// to a real worker while clients keep sending requests, rotating the
/// secret through the files the package uses (`--env-file`, `CRON_SECRET_FILE`).
@Suite("reload and readiness", .serialized)
struct ReloadTests {
    static let oldSecret = "reload-old-secret-0123456789"
    static let newSecret = "reload-new-secret-abcdefghij"

    @Test(
        "SIGHUP under load: no request is lost or refused; after READY=1 the new secret is accepted and the old refused, unless the environment file names it as previous; the log level follows the file; a bad secret file is refused and the worker serves on"
    )
    func reloadUnderLoad() throws {
        let scratch = try ScratchDirectory("reload")
        let database = try TestDatabase.fresh("reload")
        let notifications = try NotifySocket(path: scratch.path + "/notify.sock")
        let secretFile = scratch.path + "/cron_secret"
        let previousFile = scratch.path + "/cron_secret.previous"
        let environmentFile = scratch.path + "/authsweep.env"
        try (Self.oldSecret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        try "DATABASE_URL=\(database.connectionString)\nCRON_SECRET_FILE=\(secretFile)\n".write(toFile: environmentFile, atomically: true, encoding: .utf8)
        let worker = try WorkerProcess(
            directory: scratch.path, threads: 4,
            environment: [
                "NOTIFY_SOCKET": notifications.path, "CRON_SECRET": nil, "CRON_SECRET_FILE": nil, "CRON_SECRET_PREVIOUS": nil, "DATABASE_URL": nil,
            ],
            arguments: ["--env-file", environmentFile])
        defer { _ = try? worker.stop() }
        #expect(try notifications.next() == "READY=1", "the worker says it is ready once it serves")

        let load = RequestLoad(socketPath: worker.socketPath, secrets: [Self.oldSecret, Self.newSecret])
        load.start(threads: 4)
        try load.waitForAnswers(inPhase: 0, atLeast: 40)
        // The rotation as the docs describe it: the new secret in the file, then reload.
        try (Self.newSecret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        load.phase = 1
        worker.process.signal(SIGHUP)
        #expect(try notifications.next().hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(try notifications.next() == "READY=1")
        load.phase = 2
        try load.waitForAnswers(inPhase: 2, atLeast: 40)
        let answers = load.stop()

        #expect(answers.lost == 0, "every request is answered during the reload (\(answers.lost) lost)")
        #expect(answers.count(phase: 0) > 20 && answers.count(phase: 2) > 20, "requests went on before and after the reload: \(answers.summary)")
        #expect(answers.statuses(phase: 0, secret: Self.oldSecret) == [200], "before: the old secret is accepted")
        #expect(answers.statuses(phase: 0, secret: Self.newSecret) == [401], "before: the new secret is refused")
        #expect(answers.statuses(phase: 1).isSubset(of: [200, 401]), "during: each request is answered with one secret or the other")
        #expect(answers.statuses(phase: 2, secret: Self.newSecret) == [200], "after: the new secret is accepted")
        #expect(answers.statuses(phase: 2, secret: Self.oldSecret) == [401], "after: the old secret is refused")

        #expect(worker.process.standardError.components(separatedBy: "reloaded:").count == 2, "the reload is logged at notice")

        // The old secret as the previous one, named in the environment file:
        // accepted again; and the log level raised to error there.
        try (Self.oldSecret + "\n").write(toFile: previousFile, atomically: true, encoding: .utf8)
        try "CRON_SECRET_PREVIOUS_FILE=\(previousFile)\nAUTHSWEEP_LOG_LEVEL=error\n".appendTo(environmentFile)
        try reload(worker, notifications)
        #expect(worker.process.standardError.components(separatedBy: "reloaded:").count == 2, "at log level error the second reload's notice is not written")
        #expect(try status(worker, secret: Self.oldSecret) == 200, "the previous secret is accepted once the environment file names it")
        #expect(try status(worker, secret: Self.newSecret) == 200)

        // A secret file that does not load: the reload is refused whole.
        try "short\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        try reload(worker, notifications)
        #expect(try status(worker, secret: Self.newSecret) == 200, "a refused reload keeps the settings the worker had")
        #expect(worker.process.standardError.contains("reload refused"), "the refusal is logged: \(worker.process.standardError.suffix(600))")
        let metrics = try #require(try response(worker, path: "/api/cron/metrics", secret: Self.newSecret)).body
        #expect(metrics.contains("authsweep_reloads_total{result=\"success\"} 2"), "two reloads succeeded")
        #expect(metrics.contains("authsweep_reloads_total{result=\"failure\"} 1"), "one was refused")

        worker.process.signal(SIGTERM)
        #expect(try notifications.next() == "STOPPING=1", "the worker says it is stopping")
        #expect(worker.process.waitUntilExit(timeout: 10) && worker.process.exitStatus == 0)
    }

    private func reload(_ worker: WorkerProcess, _ notifications: NotifySocket) throws {
        worker.process.signal(SIGHUP)
        #expect(try notifications.next().hasPrefix("RELOADING=1"))
        #expect(try notifications.next() == "READY=1")
    }

    private func response(_ worker: WorkerProcess, path: String, secret: String) throws -> (status: Int, headers: String, body: String, ended: Bool)? {
        let connection = try FastCGIConnection(unixSocket: worker.socketPath)
        _ = connection.send(FastCGIRecord.request(method: "GET", path: path, authorization: "Bearer \(secret)"))
        return FastCGIRecord.parseResponse(connection.receiveAll())
    }

    private func status(_ worker: WorkerProcess, secret: String) throws -> Int? {
        try response(worker, path: "/api/cron/metrics", secret: secret)?.status
    }
}

extension String {
    fileprivate func appendTo(_ path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}

/// The service manager's end of `NOTIFY_SOCKET`: a unix datagram socket.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        guard bound else { throw TestSetupError("cannot bind \(path): \(String(cString: strerror(errno)))") }
        // The worker may run as another user (root runs the suite, the worker too, but keep it open).
        chmod(path, 0o777)
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// The next message, or an error after 20 s without one.
    func next() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { throw TestSetupError("no notification from the worker within 20 s") }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}

/// Clients sending `GET /api/cron/metrics` (200 with a secret, whatever the database holds) with each secret in turn, each
/// request on a connection of its own, recording the phase it began and
/// ended in with its status (or that it got no answer).
final class RequestLoad: @unchecked Sendable {
    // @unchecked: every mutable field is touched with `lock` held.
    struct Answer {
        var secret: String
        var phase: Int
        var status: Int?
    }

    struct Answers {
        var all: [Answer]
        var lost: Int { all.filter { $0.status == nil }.count }
        var summary: String { (0...2).map { "phase \($0): \(count(phase: $0))" }.joined(separator: ", ") }
        func count(phase: Int) -> Int { all.filter { $0.phase == phase }.count }
        func statuses(phase: Int, secret: String? = nil) -> Set<Int> {
            Set(all.filter { $0.phase == phase && (secret == nil || $0.secret == secret) }.compactMap(\.status))
        }
    }

    private let socketPath: String
    private let secrets: [String]
    private let lock = NSLock()
    private var currentPhase = 0
    private var stopped = false
    private var answers: [Answer] = []
    private let group = DispatchGroup()

    init(socketPath: String, secrets: [String]) {
        self.socketPath = socketPath
        self.secrets = secrets
    }

    var phase: Int {
        get { lock.withLock { currentPhase } }
        set { lock.withLock { currentPhase = newValue } }
    }

    /// Threads of their own: the shared queues may be busy with the rest
    /// of a parallel test run.
    func start(threads: Int) {
        for thread in 0..<threads {
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                var turn = thread
                while !lock.withLock({ stopped }) {
                    let secret = secrets[turn % secrets.count]
                    turn += 1
                    let began = phase
                    let status = try? FastCGIConnection(unixSocket: socketPath).request(secret: secret)
                    // A request that spans a phase change belongs to the middle one.
                    let ended = phase
                    lock.withLock { answers.append(Answer(secret: secret, phase: began == ended ? began : 1, status: status)) }
                }
            }.start()
        }
    }

    /// Waits (up to a minute) until `count` requests were answered wholly within `phase`.
    func waitForAnswers(inPhase phase: Int, atLeast count: Int) throws {
        let deadline = Date().addingTimeInterval(60)
        while lock.withLock({ answers.filter { $0.phase == phase }.count }) < count {
            guard Date() < deadline else { throw TestSetupError("fewer than \(count) requests answered in phase \(phase) within a minute") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    func stop() -> Answers {
        lock.withLock { stopped = true }
        group.wait()
        return lock.withLock { Answers(all: answers) }
    }
}

extension FastCGIConnection {
    fileprivate func request(secret: String) -> Int? {
        _ = send(FastCGIRecord.request(method: "GET", path: "/api/cron/metrics", authorization: "Bearer \(secret)"))
        return FastCGIRecord.parseResponse(receiveAll()).map(\.status)
    }
}
