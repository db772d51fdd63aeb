import Foundation
import TestSupport
import Testing

@Suite("dead-man pings from the command line", .serialized)
final class PingTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("pings")
        try database.insertSessions(5, prefix: "old-", expiringIn: -60)
    }

    func rid(_ target: String) -> String? {
        target.split(separator: "?").last.flatMap { $0.hasPrefix("rid=") ? String($0.dropFirst(4)) : nil }
    }

    @Test("a run pings start, then success with the same rid and its JSON answer; a dry run pings nothing")
    func successAndDryRun() throws {
        let recorder = try PingRecorder()
        let environment: [String: String?] = ["AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL]
        #expect(try authsweep(["cleanup-sessions", "--dry-run"], database: database, environment: environment).status == 0)
        #expect(recorder.requests.isEmpty, "a dry run sends nothing")
        let run = try authsweep(["cleanup-sessions", "--json"], database: database, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let requests = recorder.requests
        try #require(requests.count == 2, "\(requests)")
        #expect(requests[0].method == "GET" && requests[0].target.hasPrefix("/ping/cleanup-sessions/start?rid="))
        #expect(requests[1].method == "POST" && requests[1].target.hasPrefix("/ping/cleanup-sessions?rid="))
        let id = try #require(rid(requests[0].target))
        #expect(id.count == 36 && rid(requests[1].target) == id, "one rid for the run")
        #expect(requests[1].body + "\n" == run.stdout, "the success ping carries the run's JSON answer")
    }

    @Test("a failing run pings start and fail, never success; its exit status is its own")
    func failure() throws {
        let recorder = try PingRecorder()
        try database.execute(#"DROP TABLE "AuditLog""#)
        let run = try authsweep(["cleanup-sessions"], database: database, environment: ["AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL])
        #expect(run.status == 1)
        let targets = recorder.requests.map(\.target)
        #expect(targets.count == 2, "\(targets)")
        #expect(targets.first?.hasPrefix("/ping/cleanup-sessions/start?rid=") == true)
        #expect(targets.last?.hasPrefix("/ping/cleanup-sessions/fail?rid=") == true)
        #expect(recorder.requests.last?.body.isEmpty == false, "the error goes with the fail ping")
        #expect(run.stderr.contains(recorder.requests.last?.body.prefix(20) ?? "-"), "\(recorder.requests.last?.body ?? "") / \(run.stderr)")
    }

    @Test("a run refused because another holds the lease pings nothing")
    func refused() throws {
        let recorder = try PingRecorder()
        let holder = try database.connect()
        try holder.query(
            """
            INSERT INTO authsweep_jobs (job, holder, holder_pid, lease_expires_at, server_started_at)
            VALUES ('cleanup-sessions', gen_random_uuid(), pg_backend_pid(), now() + interval '1 hour', pg_postmaster_start_time())
            """)
        let run = try authsweep(["cleanup-sessions"], database: database, environment: ["AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL])
        #expect(run.status == 75)
        #expect(recorder.requests.isEmpty)
        _ = holder
    }

    @Test("a ping service that is down or failing changes neither the answer nor the exit status")
    func unreachable() throws {
        let closed = try freePort()
        let failing = try PingRecorder(status: 500)
        for url in ["http://127.0.0.1:\(closed)/ping", failing.baseURL] {
            try database.insertSessions(2, prefix: "more-\(url.count)-", expiringIn: -60)
            let started = Date()
            let run = try authsweep(["cleanup-sessions", "--json"], database: database, environment: ["AUTHSWEEP_MONITOR_PING_URL": url])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.hasPrefix(#"{"success":true,"deletedCount":"#))
            #expect(Date().timeIntervalSince(started) < 25, "each ping gives up within 10 s")
        }
        #expect(failing.requests.count == 6, "start and success, each tried three times")
    }
}
