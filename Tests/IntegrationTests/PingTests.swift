import Foundation
import Postgres
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
        try database.failSessionDeletes()
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

    @Test(
        "a run that fails before its lease pings /fail once, under a fresh id and with no start ping, saying what failed and what to do; the exit status is the failure's"
    )
    func failureBeforeLease() throws {
        let closed = try freePort()
        try database.execute(
            """
            DO $$ BEGIN CREATE ROLE authsweep_no_lease LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, DELETE ON "Session" TO authsweep_no_lease;
            GRANT SELECT, INSERT ON "AuditLog" TO authsweep_no_lease;
            """)
        let failures: [(what: String, url: String, status: Int32, setUp: String?)] = [
            ("the database is down", "host=127.0.0.1 port=\(closed) connect_timeout=2", 69, nil),
            ("the database refuses the role", database.connectionString(user: "no_such_role"), 69, nil),
            ("a lease table the role may not use", database.connectionString(user: "authsweep_no_lease"), 1, nil),
            ("a table a migration renamed", database.connectionString, 1, #"ALTER TABLE "Session" RENAME TO "Session_old""#),
        ]
        for failure in failures {
            if let setUp = failure.setUp { try database.execute(setUp) }
            let recorder = try PingRecorder()
            let run = try authsweep(
                ["cleanup-sessions"], database: nil, environment: ["DATABASE_URL": failure.url, "AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL])
            #expect(run.status == failure.status, "\(failure.what): \(run.stderr)")
            let requests = recorder.requests
            #expect(requests.count == 1, "\(failure.what): \(requests.map(\.target))")
            #expect(requests.first?.method == "POST" && requests.first?.target.hasPrefix("/ping/cleanup-sessions/fail?rid=") == true, "\(failure.what)")
            #expect(rid(requests.first?.target ?? "")?.count == 36, "a fresh run id")
            let body = requests.first?.body ?? ""
            #expect(body.hasSuffix("; authsweep check says what to fix") && !body.contains("(_") && !body.contains(" in "), "\(failure.what): \(body)")
            #expect(run.stderr.contains(body.prefix(25)), "the ping says what the command line says: \(body) / \(run.stderr)")
        }
        // --stats counts before the run: a database that is down there still fails the run, with its ping.
        let recorder = try PingRecorder()
        let withStats = try authsweep(
            ["cleanup-sessions", "--stats"], database: nil,
            environment: ["DATABASE_URL": "host=127.0.0.1 port=\(closed) connect_timeout=2", "AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL])
        #expect(withStats.status == 69 && withStats.stdout.hasPrefix("Before: not counted ("), "\(withStats.stdout)\(withStats.stderr)")
        #expect(recorder.requests.map(\.method) == ["POST"] && recorder.requests.first?.target.contains("/fail?rid=") == true, "\(recorder.requests)")
    }

    @Test(
        "a stalled ping service costs a run at most 10 s a ping, every try and pause together, and cleanup-all 40 s; a ping goes only once the one before it was given up",
        arguments: [(["cleanup-sessions", "--json"], 2), (["cleanup-all", "--json"], 4)])
    func stalledService(command: [String], pings: Int) throws {
        let stalled = try PingRecorder(stalled: true)
        let started = Date()
        let run = try authsweep(command, database: database, environment: ["AUTHSWEEP_MONITOR_PING_URL": stalled.baseURL])
        let took = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stderr)")
        // Each ping 10 s at most, and the runs themselves.
        #expect(took < Double(pings) * 10 + 0.9, "took \(took) s")
        try expectInOrder(stalled, pings: pings)
    }

    /// Every ping arrived once (a try that took the whole bound leaves no
    /// time for another), each after the one before it was given up, and
    /// in a run's order: start, then its end.
    func expectInOrder(_ stalled: PingRecorder, pings: Int) throws {
        // A held ping is recorded once its sender has closed: the last one
        // can be recorded just after the command has exited (seen in CI).
        try? waitFor("every held ping to be given up", seconds: 5) { stalled.heldRequests.count >= pings }
        let held = stalled.heldRequests
        try #require(held.count == pings, "\(held.map(\.request.target))")
        for (earlier, later) in zip(held, held.dropFirst()) {
            #expect(later.arrived >= earlier.abandoned, "\(later.request.target) was sent while \(earlier.request.target) was in flight")
        }
        for pair in stride(from: 0, to: pings, by: 2) {
            let start = held[pair].request, end = held[pair + 1].request
            #expect(start.method == "GET" && start.target.contains("/start?rid="), "\(start.target)")
            #expect(end.method == "POST" && end.target == start.target.replacing("/start?", with: "?"), "\(end.target) after \(start.target)")
        }
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

@Suite("log lines for journald")
struct JournalLogTests {
    @Test("with stderr on the stream JOURNAL_STREAM names, lines carry sd-daemon priorities and no timestamp; elsewhere the plain format stays")
    func journalFormat() throws {
        let database = try TestDatabase.fresh("journal")
        let scratch = try ScratchDirectory("journal")
        let log = scratch.path + "/stderr"
        let binary = PackagePaths.binary
        let script = """
            exec 2>"\(log)"
            JOURNAL_STREAM=$(stat -c %d:%i "\(log)") "\(binary)" cleanup-sessions --log-level info >/dev/null
            """
        let run = try ChildProcess.run("/bin/sh", ["-c", script], environment: ["DATABASE_URL": database.connectionString])
        #expect(run.status == 0)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("<6>") || $0.hasPrefix("<5>") || $0.hasPrefix("<7>") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>cleanup finished") }, "\(lines)")
        #expect(!lines.contains { $0.contains("+0000") }, "no timestamp of its own")

        let elsewhere = try authsweep(["cleanup-sessions", "--log-level", "info"], database: database, environment: ["JOURNAL_STREAM": "1:1"])
        #expect(elsewhere.stderr.contains(" info authsweep: "), "\(elsewhere.stderr)")
    }

    @Test(
        "a one-shot command run as the timer's unit runs it (stderr the journal, no --log-level) logs its warnings, stays quiet on success, and fails at err priority"
    )
    func timerRun() throws {
        let database = try TestDatabase.fresh("journal_timer")
        let scratch = try ScratchDirectory("journal_timer")
        let log = scratch.path + "/stderr"
        let closed = try freePort()
        func run(_ arguments: String) throws -> (status: Int32, lines: [Substring]) {
            let script = """
                exec 2>"\(log)"
                JOURNAL_STREAM=$(stat -c %d:%i "\(log)") exec "\(PackagePaths.binary)" \(arguments) >/dev/null
                """
            let result = try ChildProcess.run(
                "/bin/sh", ["-c", script],
                environment: [
                    "DATABASE_URL": database.connectionString, "AUTHSWEEP_ENV_FILE": "", "AUTHSWEEP_MONITOR_PING_URL": "http://127.0.0.1:\(closed)/ping",
                ])
            return (result.status, try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n"))
        }
        // The unit's own command line, with this build and a config file of the test's.
        let unit = try String(contentsOfFile: PackagePaths.root + "/deploy/systemd/authsweep-cleanup.service", encoding: .utf8)
        let execStart = String(try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count))
        try "# the unit's config file, empty: every default\n".write(toFile: scratch.path + "/authsweep.conf", atomically: true, encoding: .utf8)
        let asTheUnit = execStart.replacing("/usr/bin/authsweep ", with: "").replacing("/etc/authsweep/authsweep.conf", with: scratch.path + "/authsweep.conf")
        #expect(asTheUnit.hasPrefix("cleanup-all --config "), "\(execStart)")
        let warned = try run(asTheUnit)
        #expect(warned.status == 0)
        #expect(warned.lines.contains { $0.hasPrefix("<4>monitoring ping failed") }, "a failed ping reaches the journal: \(warned.lines)")
        #expect(!warned.lines.contains { $0.hasPrefix("<6>") }, "no info lines: \(warned.lines)")
        try database.execute(#"DROP TABLE "Session""#)
        let failed = try run(asTheUnit)
        #expect(failed.status == 1)
        #expect(failed.lines.last?.hasPrefix("<3>authsweep: ") == true, "the failure line at err: \(failed.lines)")
        // A name holding CR LF (here the operator's, in the environment) still makes one line each.
        let script = """
            exec 2>"\(log)"
            JOURNAL_STREAM=$(stat -c %d:%i "\(log)") exec "\(PackagePaths.binary)" cleanup-sessions >/dev/null
            """
        let forged = try ChildProcess.run(
            "/bin/sh", ["-c", script],
            environment: ["DATABASE_URL": database.connectionString, "AUTHSWEEP_ENV_FILE": "", "AUTHSWEEP_SESSION_TABLE": "Sess\r\n<2>forged"])
        #expect(forged.status == 1)
        // Split by scalar: a Character would hold CR LF as one.
        let lines = try String(contentsOfFile: log, encoding: .utf8).unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0)) }
        #expect(lines.allSatisfy { $0.hasPrefix("<3>") && !$0.unicodeScalars.contains("\r") }, "\(lines)")
        #expect(lines.contains { $0.contains("Sess\\u{D}\\u{A}<2>forged") }, "\(lines)")
    }
}

@Suite("secret fingerprints")
struct SecretFingerprintTests {
    @Test("check prints each secret's length and fingerprint, the same as authsweep secret fingerprint on a copy, never the secret")
    func sameFingerprint() throws {
        let database = try TestDatabase.fresh("fingerprint")
        let secret = "fingerprint-secret-0123456789"
        let check = try authsweep(
            ["check"], database: database, environment: ["CRON_SECRET": secret, "CRON_SECRET_FILE": nil, "METRICS_TOKEN": "metrics-token-abcdefghijkl"])
        let copy = try authsweep(["secret", "fingerprint"], database: nil, standardInput: secret + "\n")
        #expect(copy.status == 0)
        #expect(copy.stdout == "29 bytes, SHA-256 \(SHA256Hex.of(secret).prefix(12))\n")
        #expect(check.stdout.contains("CRON_SECRET \(copy.stdout.dropLast())"), "\(check.stdout)")
        #expect(check.stdout.contains("METRICS_TOKEN 26 bytes, SHA-256 "))
        #expect(!check.stdout.contains(secret) && !check.stdout.contains("metrics-token-abc"))
        let empty = try authsweep(["secret", "fingerprint"], database: nil, standardInput: "")
        #expect(empty.status == 64)
    }
}

/// The digest the system's sha256sum gives, to check authsweep's against.
enum SHA256Hex {
    static func of(_ text: String) -> String {
        let scratch = NSTemporaryDirectory() + "authsweep-sha-\(UUID().uuidString)"
        try? text.write(toFile: scratch, atomically: true, encoding: .utf8)
        defer { unlink(scratch) }
        let result = try? ChildProcess.run("/usr/bin/sha256sum", [scratch])
        return String(result?.stdout.prefix(64) ?? "")
    }
}

@Suite("command-line failures")
struct CommandLineFailureTests {
    @Test("a failure prints the database's own message on the one stderr line; --json keeps the fixed body")
    func databaseMessage() throws {
        let database = try TestDatabase.fresh("failure_message")
        try database.execute(#"DROP TABLE "Session""#)
        let run = try authsweep(["stats"], database: database)
        #expect(run.status == 1)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains(#"relation "Session" does not exist"#) || run.stderr.contains("Session"), "\(run.stderr)")
        let json = try authsweep(["stats", "--json"], database: database)
        #expect(json.stdout == #"{"success":false,"error":"Internal Server Error"}"# + "\n")
        let unreachable = try authsweep(["stats"], database: nil, environment: ["DATABASE_URL": "host=127.0.0.1 port=1 connect_timeout=2"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("127.0.0.1") && unreachable.stderr.contains("port 1"), "\(unreachable.stderr)")
    }
}

@Suite("a quiet command line for cron")
struct QuietCommandLineTests {
    @Test("a successful cleanup prints nothing when stdout is not a terminal, unless --verbose; --json, dry runs and failures always print")
    func quietOnSuccess() throws {
        let database = try TestDatabase.fresh("quiet")
        try database.insertSessions(3, prefix: "old-", expiringIn: -60)
        let quiet = try authsweep(["cleanup-sessions"], database: database)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stdout)")
        #expect(try authsweep(["cleanup-all"], database: database).stdout.isEmpty)
        #expect(try authsweep(["cleanup-auth"], database: database).stdout.isEmpty)
        #expect(try authsweep(["cleanup-sessions", "--verbose"], database: database).stdout.contains("Successfully deleted 0 expired session(s)"))
        #expect(try authsweep(["cleanup-sessions", "--dry-run"], database: database).stdout.contains("Dry run:"))
        #expect(try authsweep(["cleanup-sessions", "--json"], database: database).stdout.hasPrefix(#"{"success":true"#))
        try database.execute("DROP TABLE login_attempts")
        let failing = try authsweep(["cleanup-all"], database: database)
        #expect(failing.status == 1 && failing.stdout.contains("cleanup-sessions: "), "a failure shows every job's outcome")
    }
}

@Suite("dead-man pings in Cronitor's style")
struct CronitorPingTests {
    @Test("monitor.ping_style = cronitor sends state=run then state=complete with one series id; a failure sends state=fail with its message")
    func cronitorStyle() throws {
        let database = try TestDatabase.fresh("cronitor")
        try database.insertSessions(2, prefix: "old-", expiringIn: -60)
        let recorder = try PingRecorder()
        let environment: [String: String?] = ["AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL, "AUTHSWEEP_MONITOR_PING_STYLE": "cronitor"]
        #expect(try authsweep(["cleanup-sessions"], database: database, environment: environment).status == 0)
        let targets = recorder.requests.map(\.target)
        #expect(targets.count == 2, "\(targets)")
        let series = try #require(targets.first?.split(separator: "series=").last)
        #expect(targets.first == "/ping/cleanup-sessions?state=run&series=\(series)")
        #expect(targets.last == "/ping/cleanup-sessions?state=complete&series=\(series)")
        try database.failSessionDeletes()
        #expect(try authsweep(["cleanup-sessions"], database: database, environment: environment).status == 1)
        #expect(recorder.requests.last?.target.contains("?state=fail&series=") == true)
        #expect(recorder.requests.last?.target.contains("&message=") == true)
        let bad = try authsweep(["stats"], database: database, environment: ["AUTHSWEEP_MONITOR_PING_STYLE": "pagerduty"])
        #expect(bad.status == 64 && bad.stderr.contains("healthchecks, cronitor"))
    }
}
