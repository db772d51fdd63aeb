import Foundation
import Synchronization
import TestSupport
import Testing

/// The ceiling docs/install.md ("Running the worker") promises for a
/// worker's resident memory under any peers, with the default
/// `serve.max_unfinished_bytes` (64 MiB), well below the unit's
/// `MemoryMax=256M`.
let documentedResidentCeilingKiB = 160 * 1024

/// Under the sanitizers (scripts/test's second and third runs) the worker's
/// resident memory is mostly the sanitizer's own (shadow memory, ASan's
/// quarantine of freed blocks): the ceilings apply to the plain and release
/// binaries, and everything else is checked alike.
let workerIsSanitized = ProcessInfo.processInfo.environment["AUTHSWEEP_BINARY_ASAN_OPTIONS"] != nil
/// A sanitized worker is several times slower: the counts of answers it
/// gives a busy peer in a few seconds are expected smaller by this factor.
let sanitizerSlowdown = workerIsSanitized ? 10 : 1

@Suite("hostile FastCGI: the worker's memory stays bounded whatever its peers do", .serialized)
final class HostileFastCGIMemoryTests {
    let stack: Stack
    /// A worker with 16 responders, the most `serve.threads` derives.
    let wide: WorkerProcess

    init() throws {
        // One connection per unfinished request, and as many in the worker:
        // more descriptors than the usual soft limit of 1,024.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = min(limit.rlim_max, 16_384)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        stack = try Stack("hostile_memory")
        wide = try WorkerProcess(
            directory: stack.scratch.path, name: "wide", threads: 16,
            environment: [
                "CRON_SECRET": Stack.secret, "CRON_SECRET_FILE": nil, "DATABASE_URL": stack.database.connectionString,
                "AUTHSWEEP_SERVE_READ_TIMEOUT_SECONDS": "60",
            ])
    }

    deinit {
        _ = try? wide.stop()
    }

    /// One request straight to the wide worker, on a connection of its own.
    func direct(_ path: String, authorized: Bool = true) throws -> (status: Int, body: String)? {
        let connection = try FastCGIConnection(unixSocket: wide.socketPath)
        connection.send(FastCGIRecord.request(method: "GET", path: path, authorization: authorized ? "Bearer \(Stack.secret)" : nil))
        return FastCGIRecord.parseResponse(connection.receiveAll()).map { ($0.status, $0.body) }
    }

    /// A well-behaved client's stats request, and how long it took.
    func wellBehaved(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let started = Date()
        #expect(try direct("/api/cron/cleanup-sessions")?.status == 200, sourceLocation: sourceLocation)
        #expect(Date().timeIntervalSince(started) < Double(sanitizerSlowdown), "a well-behaved client is served at once", sourceLocation: sourceLocation)
    }

    func rejections(_ reason: String) throws -> Int {
        let body = try #require(try direct("/api/cron/metrics")).body
        let line = body.split(separator: "\n").first { $0.hasPrefix("authsweep_fastcgi_rejected_connections_total{reason=\"\(reason)\"}") }
        return try #require(line.flatMap { Int($0.split(separator: " ").last ?? "") }, "no counter for \(reason)")
    }

    /// Resident memory of the wide worker, sampled every 50 ms while `body`
    /// runs: the largest seen, in KiB.
    func peakResidentKiB(during body: () throws -> Void) rethrows -> Int {
        let pid = wide.process.processIdentifier
        let peak = Sampler(pid: pid)
        defer { peak.stop() }
        try body()
        return peak.stop()
    }

    @Test("a peer that pipelines requests and reads every answer is served without growing the worker's memory")
    func pipeliningReader() throws {
        try wellBehaved()
        let baseline = try #require(residentMemoryKiB(wide.process.processIdentifier))
        var answers = 0
        let peak = try peakResidentKiB {
            let reader = try PipeliningReader(socket: wide.socketPath)
            usleep(3_000_000)
            try wellBehaved()
            usleep(2_000_000)
            reader.stop()
            answers = reader.answers.load(ordering: .relaxed)
        }
        print("pipelining reader: \(answers) answers in 5 s, RSS \(baseline / 1024) MiB before, peak \(peak / 1024) MiB")
        #expect(answers > 5_000 / sanitizerSlowdown, "the reader was served")
        if !workerIsSanitized {
            // Unbounded, the worker grew by about 80 MiB in these 5 s.
            #expect(peak - baseline < 16 * 1024, "grew by \(peak - baseline) KiB")
            #expect(peak < documentedResidentCeilingKiB, "peak RSS \(peak) KiB")
        }
        #expect(wide.process.isRunning)
    }

    @Test("a maximal unfinished request on every connection, at 16 responders, alone and with a pipelining reader: memory stays under the ceiling")
    func unfinishedEverywhere() throws {
        // Just under serve.max_params_bytes (128 KiB) of parameters, and
        // never the empty record that would end them.
        let whole = FastCGIRecord.begin() + FastCGIRecord.params([("HTTP_X_FILL", [UInt8](repeating: 97, count: 128 * 1024 - 32))])
        let unfinished = Array(whole.dropLast(8))
        let before = try rejections("unfinished_over_budget")
        var held: [FastCGIConnection] = []
        func openUnfinished(_ count: Int) throws {
            for _ in 0..<count {
                let connection = try FastCGIConnection(unixSocket: wide.socketPath)
                _ = connection.sendWithoutWaiting(unfinished)
                held.append(connection)
            }
        }
        // 1,000 connections of 128 KiB: twice the default budget.
        let alone = try peakResidentKiB {
            try openUnfinished(1_000)
            usleep(1_000_000)
            try wellBehaved()
        }
        let closed = try rejections("unfinished_over_budget") - before
        print("1,000 unfinished requests at 16 responders: peak RSS \(alone / 1024) MiB, \(closed) closed over the budget")
        #expect(workerIsSanitized || alone < documentedResidentCeilingKiB, "peak RSS \(alone) KiB")
        #expect(closed > 0, "the budget closed the oldest")
        var answers = 0
        let both = try peakResidentKiB {
            let reader = try PipeliningReader(socket: wide.socketPath)
            try openUnfinished(500)
            usleep(2_000_000)
            try wellBehaved()
            reader.stop()
            answers = reader.answers.load(ordering: .relaxed)
        }
        print("both at once: peak RSS \(both / 1024) MiB, \(answers) answers to the reader")
        #expect(workerIsSanitized || both < documentedResidentCeilingKiB, "peak RSS \(both) KiB")
        #expect(answers > 500 / sanitizerSlowdown, "the reader was served meanwhile")
        #expect(wide.process.isRunning)
        held.removeAll()
    }

    /// Samples a process's resident memory on a thread of its own.
    final class Sampler: Sendable {
        private let peak = Atomic<Int>(0)
        private let stopping = Atomic<Bool>(false)
        private let finished = Atomic<Bool>(false)

        init(pid: pid_t) {
            Thread { [self] in
                while !stopping.load(ordering: .relaxed) {
                    if let resident = residentMemoryKiB(pid), resident > peak.load(ordering: .relaxed) { peak.store(resident, ordering: .relaxed) }
                    usleep(50_000)
                }
                finished.store(true, ordering: .relaxed)
            }.start()
        }

        @discardableResult
        func stop() -> Int {
            stopping.store(true, ordering: .relaxed)
            while !finished.load(ordering: .relaxed) { usleep(10_000) }
            return peak.load(ordering: .relaxed)
        }
    }

    /// A peer that pipelines kept-alive requests for 404s (no secret, no
    /// database) as fast as the worker takes them, and reads every answer.
    final class PipeliningReader: Sendable {
        let answers = Atomic<Int>(0)
        private let stopping = Atomic<Bool>(false)
        private let running = Atomic<Int>(2)

        init(socket: String) throws {
            let connection = try FastCGIConnection(unixSocket: socket)
            let request = FastCGIRecord.request(method: "GET", path: "/api/cron/nothing-here", keepConnection: true)
            let burst = Array([[UInt8]](repeating: request, count: 2_000).joined())
            let end = FastCGIRecord.endRequest
            let started = [
                Thread { [self] in
                    while !stopping.load(ordering: .relaxed), connection.send(burst) {}
                    connection.finishWriting()
                    running.subtract(1, ordering: .relaxed)
                },
                Thread { [self] in
                    var buffer = [UInt8](repeating: 0, count: 1 << 16)
                    var pending: [UInt8] = []
                    while true {
                        let count = recv(connection.descriptor, &buffer, buffer.count, 0)
                        if count <= 0 { break }
                        pending += buffer[0..<count]
                        var offset = 0
                        while pending.count - offset >= 8 {
                            let length = (Int(pending[offset + 4]) << 8 | Int(pending[offset + 5])) + Int(pending[offset + 6])
                            guard pending.count - offset >= 8 + length else { break }
                            if pending[offset + 1] == end { answers.add(1, ordering: .relaxed) }
                            offset += 8 + length
                        }
                        pending.removeFirst(offset)
                    }
                    running.subtract(1, ordering: .relaxed)
                },
            ]
            started.forEach { $0.start() }
        }

        func stop() {
            stopping.store(true, ordering: .relaxed)
            while running.load(ordering: .relaxed) > 0 { usleep(10_000) }
        }
    }
}
