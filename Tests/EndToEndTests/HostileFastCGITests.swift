import Foundation
import Postgres
import TestSupport
import Testing

/// Resident memory of a process in KiB, from /proc.
func residentMemoryKiB(_ pid: pid_t) -> Int? {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
    return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
}

/// Threads of a process, from /proc.
func threadCount(_ pid: pid_t) -> Int {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
}

@Suite("hostile FastCGI straight to a worker's socket", .serialized)
final class HostileFastCGITests {
    let stack: Stack
    var socket: String { stack.worker.socketPath }

    init() throws {
        // A short read deadline keeps the stalled-peer tests quick.
        stack = try Stack("hostile_fcgi", workerEnvironment: ["AUTHSWEEP_SERVE_READ_TIMEOUT_SECONDS": "2"])
    }

    /// A well-formed stats request straight to the socket.
    func directStats() throws -> Int? {
        let connection = try FastCGIConnection(unixSocket: socket)
        connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-sessions", authorization: "Bearer \(Stack.secret)"))
        return FastCGIRecord.parseResponse(connection.receiveAll())?.status
    }

    /// The worker is alive, has its threads, and answers directly and through nginx.
    func expectStillServing(threads expected: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(stack.worker.process.isRunning, "\(stack.worker.process.standardError.suffix(3000))", sourceLocation: sourceLocation)
        #expect(try directStats() == 200, sourceLocation: sourceLocation)
        for _ in 0..<3 {
            #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200, sourceLocation: sourceLocation)
        }
        #expect(threadCount(stack.worker.process.processIdentifier) == expected, "no thread leaked", sourceLocation: sourceLocation)
    }

    @Test("a well-formed request straight to the socket gets the contract's answer")
    func wellFormed() throws {
        #expect(try directStats() == 200)
        let connection = try FastCGIConnection(unixSocket: socket)
        connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-auth"))
        let response = try #require(FastCGIRecord.parseResponse(connection.receiveAll()))
        #expect(response.status == 401 && response.body == #"{"error":"Unauthorized"}"# && response.ended)
    }

    @Test("random bytes, truncated records, a wrong version and unknown record types are dropped")
    func garbage() throws {
        let threads = threadCount(stack.worker.process.processIdentifier)
        var generator = SystemRandomNumberGenerator()
        let valid = FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-sessions", authorization: "Bearer \(Stack.secret)")
        var inputs: [[UInt8]] = (0..<20).map { _ in (0..<Int.random(in: 1...4096, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        inputs += [
            Array(valid.prefix(5)),  // a truncated header
            Array(valid.prefix(valid.count / 2)),  // a truncated request
            FastCGIRecord.record(FastCGIRecord.beginRequest, content: [0, 1, 0, 0, 0, 0, 0, 0], version: 9) + Array(valid.dropFirst(16)),
            FastCGIRecord.record(77, content: [1, 2, 3]) + valid,  // an unknown record type first
            FastCGIRecord.record(FastCGIRecord.beginRequest, content: [0, 9, 0, 0, 0, 0, 0, 0]) + Array(valid.dropFirst(16)),  // unknown role
            FastCGIRecord.record(FastCGIRecord.params, content: [255, 255, 255, 255]),  // params before begin
            [],
        ]
        for input in inputs {
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(input)
            connection.finishWriting()
            let answer = connection.receiveAll()
            if let response = FastCGIRecord.parseResponse(answer) {
                #expect(response.status != 500)
            }
        }
        try expectStillServing(threads: threads)
    }

    @Test("a content length larger than what is sent, or a peer that goes silent, is given up after the read deadline")
    func stalledPeers() throws {
        let threads = threadCount(stack.worker.process.processIdentifier)
        let partial = FastCGIRecord.begin() + FastCGIRecord.record(FastCGIRecord.params, content: Array(repeating: 1, count: 10), declaredLength: 5000)
        var stalled: [FastCGIConnection] = []
        for index in 0..<6 {
            let connection = try FastCGIConnection(unixSocket: socket)
            if index % 2 == 0 { connection.send(partial) }  // the others send nothing at all
            stalled.append(connection)
        }
        let started = Date()
        // Six stalled peers against two responders: each is dropped after
        // the 2 s deadline, so a real request waits a few seconds at most.
        #expect(try directStats() == 200)
        #expect(Date().timeIntervalSince(started) < 10)
        for connection in stalled {
            _ = connection.receiveAll()  // returns once the worker has closed it
        }
        #expect(Date().timeIntervalSince(started) < 15, "every stalled connection was closed by the worker")
        try expectStillServing(threads: threads)
    }

    @Test("a peer trickling a request byte by byte cannot hold a responder past the deadline")
    func trickle() throws {
        let connection = try FastCGIConnection(unixSocket: socket)
        let request = FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-sessions", authorization: "Bearer \(Stack.secret)")
        let started = Date()
        var closedByWorker = false
        for byte in request {
            if !connection.send([byte]) {
                closedByWorker = true
                break
            }
            usleep(300_000)  // well within the socket timeout, each time
            if Date().timeIntervalSince(started) > 8 { break }
        }
        #expect(closedByWorker || FastCGIRecord.parseResponse(connection.receiveAll()) == nil)
        #expect(Date().timeIntervalSince(started) < 8, "the worker cut the connection near its 2 s deadline")
    }

    /// The worker's count of connections closed for `reason`, from its metrics.
    func rejections(_ reason: String) throws -> Int {
        let body = try stack.request("GET", "/api/cron/metrics/1").body
        let line = body.split(separator: "\n").first { $0.hasPrefix("authsweep_fastcgi_rejected_connections_total{reason=\"\(reason)\"}") }
        return try #require(line.flatMap { Int($0.split(separator: " ").last ?? "") }, "no counter for \(reason)")
    }

    @Test(
        "declared parameter lengths that crash libfcgi are refused at once; the worker keeps its pid and its memory",
        arguments: [(0x3fff_ffff, 0x3fff_ffff), (0x7fff_ffff, 0x7fff_ffff), (0x3fff_fffe, 0x3fff_fffe), (0x7fff_ffff, 1)])
    func declaredLengths(nameLength: Int, valueLength: Int) throws {
        let pid = stack.worker.process.processIdentifier
        let threads = threadCount(pid)
        let before = try rejections("parameters_too_large")
        // The 32 bytes of the report, five times: what systemd's start limit
        // would have turned into a worker left down.
        let attack =
            FastCGIRecord.begin()
            + FastCGIRecord.record(FastCGIRecord.params, content: FastCGIRecord.lengthPrefix(nameLength) + FastCGIRecord.lengthPrefix(valueLength))
        for _ in 0..<5 {
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(attack)
            let started = Date()
            #expect(connection.receiveAll().isEmpty)
            #expect(Date().timeIntervalSince(started) < 1, "closed as soon as the lengths arrived, not at the read deadline")
        }
        #expect(stack.worker.process.isRunning && stack.worker.process.processIdentifier == pid)
        let residentKiB = try #require(residentMemoryKiB(pid))
        #expect(residentKiB < 256 * 1024)
        try expectStillServing(threads: threads)
        #expect(try rejections("parameters_too_large") == before + 5)
    }

    @Test("parameters within the limits are answered; beyond them the connection is closed and counted")
    func parameterLimits() throws {
        let threads = threadCount(stack.worker.process.processIdentifier)
        let base: [(String, [UInt8])] = [
            ("REQUEST_METHOD", Array("GET".utf8)), ("REQUEST_URI", Array("/api/cron/cleanup-sessions".utf8)),
            ("HTTP_AUTHORIZATION", Array("Bearer \(Stack.secret)".utf8)),
        ]
        func status(_ pairs: [(String, [UInt8])]) throws -> Int? {
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(FastCGIRecord.begin() + FastCGIRecord.params(pairs) + FastCGIRecord.stdinStream([]))
            return FastCGIRecord.parseResponse(connection.receiveAll())?.status
        }
        let filler = (0..<2_000).map { ("HTTP_X_FILLER_\($0)", Array("value-\($0)".utf8)) }
        let tooManyBefore = try rejections("too_many_parameters")
        let tooLargeBefore = try rejections("parameters_too_large")
        // Defaults: 1,000 parameters and 128 KiB, far above nginx's ~33 KiB of headers.
        #expect(try status(base + filler.prefix(900)) == 200)
        #expect(try status(base + filler) == nil)
        #expect(try status(base + [("HTTP_X_BIG", [UInt8](repeating: 97, count: 100_000))]) == 200)
        #expect(try status(base + [("HTTP_X_BIG", [UInt8](repeating: 97, count: 1 << 20))]) == nil)
        let hugeToken = try FastCGIConnection(unixSocket: socket)
        hugeToken.send(
            FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-sessions", authorization: "Bearer " + String(repeating: "x", count: 1 << 20)))
        #expect(FastCGIRecord.parseResponse(hugeToken.receiveAll()) == nil)
        #expect(try rejections("too_many_parameters") == tooManyBefore + 1)
        #expect(try rejections("parameters_too_large") == tooLargeBefore + 2)
        try expectStillServing(threads: threads)
    }

    @Test("peers that pipeline kept-alive requests and never read hold no responder and do not delay SIGTERM")
    func pipeliningPeersThatNeverRead() throws {
        // Six peers against two responders; each sends more requests than
        // its answers fit in a socket buffer and never reads one.
        let request = FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-auth", keepConnection: true)
        let burst = Array([[UInt8]](repeating: request, count: 5_000).joined())
        var peers: [FastCGIConnection] = []
        for _ in 0..<6 {
            let peer = try FastCGIConnection(unixSocket: socket)
            #expect(peer.sendWithoutWaiting(burst) > 0)
            peers.append(peer)
        }
        usleep(500_000)
        for peer in peers { _ = peer.sendWithoutWaiting(burst) }
        let started = Date()
        #expect(try directStats() == 200)
        #expect(Date().timeIntervalSince(started) < 1, "a fresh request is answered while the peers' answers pile up")
        let stopping = Date()
        #expect(try stack.worker.stop() == 0)
        #expect(Date().timeIntervalSince(stopping) < 2, "SIGTERM is not held up by the stuck peers")
    }

    @Test("connections closed in the middle of a response or a request body do not hurt the worker")
    func peersThatLeave() throws {
        let threads = threadCount(stack.worker.process.processIdentifier)
        for _ in 0..<20 {
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-sessions", authorization: "Bearer \(Stack.secret)"))
        }  // each closes at once, before the answer is read
        for _ in 0..<5 {
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(
                FastCGIRecord.begin() + FastCGIRecord.params([("REQUEST_METHOD", Array("POST".utf8))])
                    + FastCGIRecord.record(FastCGIRecord.stdin, content: [1, 2, 3], declaredLength: 60_000))
        }
        usleep(500_000)
        try expectStillServing(threads: threads)
    }

    @Test("idle kept-alive connections, more than there are responders, do not hold up new connections")
    func keptConnectionsDoNotStarve() throws {
        var idle: [FastCGIConnection] = []
        for _ in 0..<6 {  // three per responder
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: true))
            #expect(FastCGIRecord.parseResponse(connection.receiveOneResponse())?.status == 200)
            idle.append(connection)
        }
        let started = Date()
        #expect(try directStats() == 200)
        #expect(Date().timeIntervalSince(started) < 1, "a new connection is served while the kept ones sit idle")
        // And the kept connections still work afterwards.
        idle[0].send(FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: false))
        #expect(FastCGIRecord.parseResponse(idle[0].receiveAll())?.status == 200)
    }

    @Test("peers that keep their end open after the answer do not hold the responders")
    func lingeringPeers() throws {
        // On a unix socket the worker closes at once after the answer: no
        // wait for the peer (libfcgi's own close would have waited 2 s).
        var lingering: [FastCGIConnection] = []
        for _ in 0..<4 {  // two per responder
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/health"))
            #expect(FastCGIRecord.parseResponse(connection.receiveOneResponse())?.status == 200)
            lingering.append(connection)
        }
        let started = Date()
        #expect(try directStats() == 200)
        #expect(Date().timeIntervalSince(started) < 1, "a new connection is served while the others linger")
        #expect(lingering.allSatisfy { $0.receiveAll().isEmpty }, "and the worker has closed theirs")
    }

    @Test("a request on any kept connection is answered at once while a responder runs a cleanup held up by a lock")
    func noRequestWaitsBehindACleanup() throws {
        // The application holds the table: the cleanup's DELETE waits for
        // lock_timeout (3 s) while reads go on.
        let application = try stack.database.connect()
        try application.query("BEGIN")
        try application.query(#"LOCK TABLE "Session" IN EXCLUSIVE MODE"#)
        // Kept connections, as nginx's cache holds them: with two responders,
        // some were accepted by the one that now runs the cleanup.
        var kept: [FastCGIConnection] = []
        for _ in 0..<8 {
            let connection = try FastCGIConnection(unixSocket: socket)
            connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: true))
            #expect(FastCGIRecord.parseResponse(connection.receiveOneResponse())?.status == 200)
            kept.append(connection)
        }
        let cleanup = try FastCGIConnection(unixSocket: socket)
        let cleanupStarted = Date()
        cleanup.send(FastCGIRecord.request(method: "POST", path: "/api/cron/cleanup-sessions", authorization: "Bearer \(Stack.secret)"))
        usleep(300_000)
        for (index, connection) in kept.enumerated() {
            let started = Date()
            let request =
                index % 2 == 0
                ? FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: true)
                : FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-sessions", authorization: "Bearer \(Stack.secret)", keepConnection: true)
            connection.send(request)
            #expect(FastCGIRecord.parseResponse(connection.receiveOneResponse())?.status == 200)
            #expect(Date().timeIntervalSince(started) < 0.5, "kept connection \(index) waited behind the cleanup")
        }
        #expect(Date().timeIntervalSince(cleanupStarted) < 2.5, "all answered while the cleanup was still waiting")
        try application.query("ROLLBACK")
        #expect(FastCGIRecord.parseResponse(cleanup.receiveAll()) != nil, "and the cleanup answered in the end")
    }

    @Test("SIGTERM: a request begun is still answered, an idle kept connection is closed, and the worker exits within a second or so")
    func stopFinishesWhatBegan() throws {
        let idle = try FastCGIConnection(unixSocket: socket)
        idle.send(FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: true))
        #expect(FastCGIRecord.parseResponse(idle.receiveOneResponse())?.status == 200)
        let request = FastCGIRecord.request(method: "GET", path: "/api/cron/health")
        let halfSent = try FastCGIConnection(unixSocket: socket)
        halfSent.send(Array(request.dropLast(8)))  // all but the empty STDIN record
        let connectedOnly = try FastCGIConnection(unixSocket: socket)
        usleep(300_000)  // accepted, and the first part read
        let stopping = Date()
        stack.worker.process.signal(SIGTERM)
        usleep(200_000)
        halfSent.send(Array(request.suffix(8)))
        connectedOnly.send(request)
        #expect(FastCGIRecord.parseResponse(halfSent.receiveAll())?.status == 200, "the request begun before the SIGTERM is answered")
        #expect(FastCGIRecord.parseResponse(connectedOnly.receiveAll())?.status == 200, "so is one accepted and sent just after it")
        #expect(idle.receiveAll().isEmpty, "the idle kept connection is closed")
        #expect(stack.worker.process.waitUntilExit(timeout: 5))
        #expect(stack.worker.process.exitStatus == 0)
        #expect(Date().timeIntervalSince(stopping) < 2)
    }

    @Test("a kept-alive connection serves several requests, then is closed when it goes idle")
    func keepAlive() throws {
        let connection = try FastCGIConnection(unixSocket: socket)
        for _ in 0..<3 {
            connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: true))
            #expect(FastCGIRecord.parseResponse(connection.receiveOneResponse())?.status == 200)
        }
        let started = Date()
        #expect(connection.receiveAll().isEmpty, "the worker closes the idle connection")
        #expect(Date().timeIntervalSince(started) < 6)
    }
}
