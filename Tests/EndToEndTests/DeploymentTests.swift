import Foundation
import Postgres
import TestSupport
import Testing

@Suite("the production nginx configuration, over HTTPS, in front of a pool of three workers", .serialized)
final class ProductionNginxTests {
    let stack: Stack

    init() throws {
        stack = try Stack("production")
        try stack.database.insertSessions(5, prefix: "old-", expiringIn: -60)
    }

    @Test("plain HTTP refuses /api/cron without a redirect, and sends anything else to the configured name over HTTPS")
    func plainHTTP() throws {
        for path in ["/api/cron/cleanup-sessions", "/api/cron", "/api/cron/health"] {
            let api = try HTTPClient.request("GET", stack.nginx.plainURL + path, headers: ["Authorization: Bearer \(Stack.secret)"])
            #expect(api.status == 403, "\(path)")
            #expect(api.headers["location"] == nil, "no redirect invites the client to send its secret again")
            #expect(api.body == #"{"error":"HTTPS Required"}"#)
            #expect(api.headers["cache-control"] == "no-store")
            #expect(api.headers["content-type"] == "application/json; charset=utf-8")
        }
        let other = try HTTPClient.request("GET", stack.nginx.plainURL + "/index.html", headers: ["Host: attacker.example"])
        #expect(other.status == 301)
        #expect(other.headers["location"] == "https://cron.example.com/index.html", "the configured name, not the Host header")
    }

    @Test("plain HTTP serves Let's Encrypt's challenge from the webroot, so certbot --webroot can issue and renew while nginx holds port 80")
    func acmeChallenge() throws {
        let token = "tok-\(UUID().uuidString.prefix(8))"
        try "\(token).key-authorization".write(
            toFile: "\(stack.nginx.acmeWebroot)/.well-known/acme-challenge/\(token)", atomically: true, encoding: .utf8)
        let served = try HTTPClient.request("GET", stack.nginx.plainURL + "/.well-known/acme-challenge/\(token)")
        #expect(served.status == 200)
        #expect(served.body == "\(token).key-authorization")
        #expect(served.headers["content-type"]?.hasPrefix("text/plain") == true)
        #expect(try HTTPClient.request("GET", stack.nginx.plainURL + "/.well-known/acme-challenge/missing").status == 404)
    }

    @Test("nginx's own answers are JSON in UTF-8 and never cached; the worker's headers are not doubled")
    func nginxAnswers() throws {
        let unknown = try stack.request("GET", "/nothing-here")
        let bare = try stack.request("GET", "/api/cron")
        let tooLarge = try HTTPClient.request(
            "POST", stack.nginx.baseURL + "/api/cron/cleanup-sessions",
            headers: ["Authorization: Bearer \(Stack.secret)"], body: String(repeating: "b", count: 64 * 1024))
        for (response, status) in [(unknown, 404), (bare, 404), (tooLarge, 413)] {
            #expect(response.status == status)
            #expect(response.headers["content-type"] == "application/json; charset=utf-8", "\(status)")
            #expect(response.headers["cache-control"] == "no-store", "\(status)")
        }
        let raw = try ChildProcess.run(
            "/usr/bin/curl", ["-s", "-k", "-i", "-H", "Authorization: Bearer \(Stack.secret)", stack.nginx.baseURL + "/api/cron/cleanup-sessions"])
        let headerLines = raw.stdout.components(separatedBy: "\r\n\r\n")[0].lowercased().components(separatedBy: "\r\n")
        #expect(headerLines.filter { $0.hasPrefix("cache-control:") } == ["cache-control: no-store"])
        #expect(headerLines.filter { $0.hasPrefix("content-type:") } == ["content-type: application/json; charset=utf-8"])
    }

    @Test("HTTPS answers with HSTS and refuses TLS older than 1.2")
    func tls() throws {
        let response = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(response.status == 200)
        #expect(response.headers["strict-transport-security"]?.hasPrefix("max-age=") == true)
        let old = try ChildProcess.run("/usr/bin/curl", ["-s", "-k", "--tlsv1.1", "--tls-max", "1.1", stack.nginx.baseURL + "/api/cron/health"])
        #expect(old.status != 0, "a TLS 1.1 handshake must fail")
    }

    @Test("every endpoint answers through the pool, and every worker takes requests")
    func pool() throws {
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions").json?["success"] as? Bool == true)
        #expect(try stack.request("POST", "/api/cron/cleanup-sessions").json?["deletedCount"] as? Int == 5)
        #expect(try stack.request("GET", "/api/cron/cleanup-auth").json?["message"] as? String == "Cleanup completed")
        for _ in 0..<9 {
            #expect(try stack.request("GET", "/api/cron/health", token: nil).status == 200)
            #expect(try stack.request("GET", "/api/cron/cleanup-auth", token: nil).status == 401)
        }
        for worker in stack.workers {
            _ = try worker.stop()
            // (Health lines are debug; a 401's line is info.)
            #expect(worker.process.standardError.contains("request.path=/api/cron/cleanup-auth"), "each worker served some requests")
        }
    }

    @Test("paths outside /api/cron/ are a JSON 404 from nginx itself", arguments: ["/", "/index.html", "/api/", "/api/cron", "/.env"])
    func outsideCronPath(path: String) throws {
        let response = try stack.request("GET", path)
        #expect(response.status == 404)
        #expect(response.body == #"{"error":"Not Found"}"#)
        _ = try stack.worker.stop()
        #expect(!stack.worker.process.standardError.contains("request.path=\(path) "))
    }

    @Test("a burst of wrong tokens is cut short by limit_req with a 429")
    func rateLimit() throws {
        var responses: [HTTPResponse] = []
        for attempt in 0..<60 {
            responses.append(try stack.request("GET", "/api/cron/cleanup-auth", token: "guess-\(attempt)-0123456789abcdef"))
        }
        let statuses = responses.map(\.status)
        #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 })
        #expect(statuses.filter { $0 == 429 }.count >= 20)
        #expect(statuses.prefix(10).allSatisfy { $0 == 401 }, "a short burst is let through")
        // nginx's own answer, taken from the burst itself (a pause after it
        // would let the bucket refill on a loaded machine).
        let limited = try #require(responses.last { $0.status == 429 })
        #expect(limited.body == #"{"error":"Too Many Requests"}"#)
        #expect(limited.headers["content-type"] == "application/json; charset=utf-8")
        #expect(limited.headers["cache-control"] == "no-store")
    }

    @Test("the access log records the request but never the Authorization header or a query string")
    func accessLog() throws {
        _ = try stack.request("GET", "/api/cron/cleanup-sessions?secret=\(Stack.secret)")
        _ = try stack.request("GET", "/api/cron/cleanup-sessions")
        try waitFor("the access log", seconds: 5) { stack.nginx.accessLog.components(separatedBy: "\n").count > 2 }
        let log = stack.nginx.accessLog
        #expect(log.contains("GET /api/cron/cleanup-sessions"))
        #expect(!log.contains(Stack.secret))
        #expect(!log.contains("secret="))
    }

    @Test("the crontab's and the workflow's curl commands send the secret on a pipe, never in curl's arguments, and run both cleanups")
    func schedulerExamples() throws {
        let secretFile = stack.scratch.path + "/cron_secret"
        try (Stack.secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        // A self-signed certificate here: -k, and the test's own address.
        func local(_ command: String) -> String {
            command.replacing("/etc/authsweep/cron_secret", with: secretFile)
                .replacing("https://cron.example.com", with: stack.nginx.baseURL)
                .replacing("curl -fsS", with: "curl -fsSk").replacing("curl -sS ", with: "curl -sSk ")
        }
        let crontab = try String(contentsOfFile: PackagePaths.root + "/deploy/crontab.example", encoding: .utf8)
        let lines = crontab.split(separator: "\n").filter { $0.hasPrefix("# ") && $0.contains(" root ") && $0.contains("curl") }
        #expect(lines.count == 2, "\(lines)")
        var cronOutput = ""
        for line in lines {
            let command = String(line.split(separator: " root ", maxSplits: 1)[1])
            #expect(!command.contains("-H "), "no header in curl's arguments")
            let cron = try ChildProcess.run("/bin/sh", ["-c", local(command)])
            #expect(cron.status == 0, "\(cron.stderr)")
            cronOutput += cron.stdout
        }
        #expect(cronOutput.contains(#""message":"Cleanup completed""#) && cronOutput.contains(#""deletedCount":5"#), "\(cronOutput)")

        let workflow = try String(contentsOfFile: PackagePaths.root + "/deploy/github/authsweep-cleanup.yml", encoding: .utf8)
        var scripts: [String] = []
        var current: [Substring]?
        for line in workflow.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix("run: |") {
                current = []
            } else if current != nil, line.hasPrefix("          ") {
                current?.append(line.dropFirst(10))
            } else if let finished = current {
                scripts.append(finished.joined(separator: "\n"))
                current = nil
            }
        }
        if let finished = current { scripts.append(finished.joined(separator: "\n")) }
        #expect(scripts.count == 2)
        for script in scripts {
            #expect(!script.contains("${{"), "no secret or expression inline in run:")
            let step = try ChildProcess.run(
                "/bin/bash", ["-eo", "pipefail", "-c", local(script)], environment: ["CRON_SECRET": Stack.secret, "AUTHSWEEP_URL": stack.nginx.baseURL])
            #expect(step.status == 0, "\(script): \(step.stderr)")
            #expect(step.stdout.contains(#""success":true"#), "\(step.stdout)")
        }
        // A run held elsewhere answers 409: the job says so and succeeds.
        let holder = try stack.database.connect()
        try holder.executeScript(
            unsafeSQL: """
                UPDATE authsweep_jobs SET holder = gen_random_uuid(), holder_pid = pg_backend_pid(),
                    lease_expires_at = now() + interval '1 hour', server_started_at = pg_postmaster_start_time()
                WHERE job = 'cleanup-auth'
                """)
        let held = try withExtendedLifetime(holder) {
            try ChildProcess.run(
                "/bin/bash", ["-eo", "pipefail", "-c", local(scripts[0])], environment: ["CRON_SECRET": Stack.secret, "AUTHSWEEP_URL": stack.nginx.baseURL])
        }
        #expect(held.status == 0, "\(held.stderr)")
        #expect(held.stdout.contains("::notice::cleanup-auth is already running elsewhere"), "\(held.stdout)")
    }

    @Test("GET /api/cron/status: 401 without the secret, 503 stale before any run, 200 ok once both cleanups ran; the metrics show a CLI run's success")
    func statusView() throws {
        #expect(try stack.request("GET", "/api/cron/status", token: nil).status == 401)
        let before = try stack.request("GET", "/api/cron/status")
        #expect(before.status == 503)
        #expect(before.json?["status"] as? String == "stale")
        #expect(before.headers["content-type"] == "application/json; charset=utf-8")
        #expect(try stack.request("POST", "/api/cron/cleanup-sessions").status == 200)
        let cli = try authsweep(["cleanup-auth"], database: stack.database)
        #expect(cli.status == 0, "\(cli.stderr)")
        let after = try stack.request("GET", "/api/cron/status")
        #expect(after.status == 200, "\(after.body)")
        #expect(after.json?["status"] as? String == "ok")
        // cleanup-auth ran in the CLI, not in a worker: its gauge comes from the record.
        let metrics = try stack.request("GET", "/api/cron/metrics/2").body
        #expect(metrics.contains(#"authsweep_cleanup_last_success_timestamp_seconds{cleanup="cleanup-auth"}"#), "\(metrics)")
        #expect(metrics.contains(#"authsweep_cleanup_last_run_failed{cleanup="cleanup-auth"} 0.0"#), "\(metrics)")
        // A CLI run that fails before its lease (a table a migration renamed) is recorded, and the gauge says so.
        let failed = try authsweep(["cleanup-auth"], database: stack.database, environment: ["AUTHSWEEP_LOGIN_ATTEMPTS_TABLE": "login_attempts_renamed"])
        #expect(failed.status == 1)
        let afterFailure = try stack.request("GET", "/api/cron/metrics/3").body
        #expect(afterFailure.contains(#"authsweep_cleanup_last_run_failed{cleanup="cleanup-auth"} 1.0"#), "\(afterFailure)")
        #expect(
            try stack.request("GET", "/api/cron/status").json?["jobs"].flatMap { ($0 as? [String: Any])?["cleanup-auth"] as? [String: Any] }?["lastResult"]
                as? String == "error")
        #expect(try authsweep(["cleanup-auth"], database: stack.database).status == 0)
        #expect(try stack.request("GET", "/api/cron/metrics/3").body.contains(#"authsweep_cleanup_last_run_failed{cleanup="cleanup-auth"} 0.0"#))
    }

    @Test("metrics need the secret, and their counters move with the requests")
    func metrics() throws {
        #expect(try stack.request("GET", "/api/cron/metrics/1", token: nil).status == 401)
        func healthRequests() throws -> Int {
            var total = 0
            for worker in 1...3 {
                let response = try stack.request("GET", "/api/cron/metrics/\(worker)")
                #expect(response.status == 200)
                #expect(response.headers["content-type"]?.hasPrefix("text/plain") == true)
                let line = response.body.split(separator: "\n").first { $0.hasPrefix(#"authsweep_http_requests_total{route="health",status="200"}"#) }
                total += line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            }
            return total
        }
        let before = try healthRequests()
        for _ in 0..<6 { _ = try stack.request("GET", "/api/cron/health", token: nil) }
        #expect(try healthRequests() == before + 6)

        _ = try stack.request("POST", "/api/cron/cleanup-sessions")
        var deleted = 0
        for worker in 1...3 {
            let body = try stack.request("GET", "/api/cron/metrics/\(worker)").body
            if let line = body.split(separator: "\n").first(where: { $0.hasPrefix(#"authsweep_cleanup_rows_deleted_total{cleanup="cleanup-sessions"}"#) }) {
                deleted += Int(line.split(separator: " ").last ?? "") ?? 0
            }
        }
        #expect(deleted == 5)
    }
}

@Suite("health while PostgreSQL goes away and comes back")
final class HealthTests {
    @Test("health is 503 while PostgreSQL is stopped and 200 again once it is back, with no worker restart")
    func healthFollowsDatabase() throws {
        let scratch = try ScratchDirectory("health-pg")
        let postgres = try PostgresServer(in: scratch.path)
        let stack = try Stack("health", workerEnvironment: ["DATABASE_URL": postgres.connectionString])
        let up = try stack.request("GET", "/api/cron/health", token: nil)
        #expect(up.status == 200)
        #expect(up.body == #"{"status":"ok"}"#)

        try postgres.stop()
        // A worker answers health from a result up to a second old.
        usleep(1_100_000)
        let started = Date()
        for _ in 0..<3 {
            let down = try stack.request("GET", "/api/cron/health", token: nil)
            #expect(down.status == 503)
            #expect(down.body == #"{"status":"unavailable"}"#)
        }
        let stats = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(stats.status == 500)
        #expect(stats.body == #"{"success":false,"error":"Internal Server Error"}"#)
        #expect(Date().timeIntervalSince(started) < 20, "failures answer promptly")

        try postgres.start()
        usleep(1_100_000)
        for _ in 0..<3 {
            #expect(try stack.request("GET", "/api/cron/health", token: nil).status == 200)
        }
        #expect(stack.workers.allSatisfy { $0.process.isRunning })
    }
}

@Suite("the deployment files")
struct DeploymentFileTests {
    @Test("the systemd units pass systemd-analyze verify with no warning")
    func systemdUnits() throws {
        let scratch = try ScratchDirectory("units")
        let source = PackagePaths.root + "/deploy/systemd/"
        // verify needs instances of the templates and an ExecStart that exists.
        let copies = [
            ("authsweep@.socket", "authsweep@1.socket"), ("authsweep@.service", "authsweep@1.service"),
            ("authsweep-cleanup.service", "authsweep-cleanup.service"), ("authsweep-cleanup.timer", "authsweep-cleanup.timer"),
        ]
        for (original, copy) in copies {
            let text = try String(contentsOfFile: source + original, encoding: .utf8)
                .replacingOccurrences(of: "/usr/bin/authsweep", with: PackagePaths.binary)
                // verify runs man for man: links; the page comes with the
                // package, whose installed units scripts/check-package verifies.
                .replacingOccurrences(of: "Documentation=man:authsweep(1) man:authsweep.conf(5) ", with: "Documentation=")
            try text.write(toFile: "\(scratch.path)/\(copy)", atomically: true, encoding: .utf8)
        }
        let result = try ChildProcess.run("/usr/bin/systemd-analyze", ["verify"] + copies.map { "\(scratch.path)/\($0.1)" })
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
    }

    @Test("the timer's cleanup unit is sandboxed as tightly as the worker's (systemd-analyze security)")
    func cleanupSandbox() throws {
        func exposure(_ unit: String) throws -> Double {
            let result = try ChildProcess.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", PackagePaths.root + "/deploy/systemd/" + unit])
            let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(result.stdout)\(result.stderr)")
            return try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, "\(line)")
        }
        let worker = try exposure("authsweep@.service")
        let cleanup = try exposure("authsweep-cleanup.service")
        #expect(cleanup <= worker, "the cleanup unit's exposure \(cleanup) against the worker's \(worker)")
        #expect(worker <= 2.0)
    }

    @Test(
        "the alert rules pass promtool check rules, and their unit tests fire the stale alert per cleanup despite the scrape's job label, the failed-run and unreadable-records alerts within minutes, resolved by a success, and the refused-reload alert"
    )
    func alertRules() throws {
        let directory = PackagePaths.root + "/deploy/prometheus"
        let check = try ChildProcess.run("/usr/bin/promtool", ["check", "rules", directory + "/authsweep-rules.yml"])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("SUCCESS: 8 rules found"), "\(check.stdout)")
        let unit = try ChildProcess.run("/usr/bin/promtool", ["test", "rules", directory + "/authsweep-rules.test.yml"])
        #expect(unit.status == 0, "\(unit.stdout) \(unit.stderr)")
        #expect(unit.stdout.contains("SUCCESS"))
    }

    @Test("the socket unit is not PartOf its worker: restarting a worker leaves its socket listening")
    func socketOutlivesRestart() throws {
        let socket = try String(contentsOfFile: PackagePaths.root + "/deploy/systemd/authsweep@.socket", encoding: .utf8)
        let directives = socket.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(!directives.contains { $0.hasPrefix("PartOf=") || $0.hasPrefix("BindsTo=") }, "either would take the socket down with the worker")
        #expect(directives.contains("RemoveOnStop=yes"))
        let service = try String(contentsOfFile: PackagePaths.root + "/deploy/systemd/authsweep@.service", encoding: .utf8)
        #expect(service.contains("\nRequires=authsweep@%i.socket\n"), "the worker still needs its socket to start")
    }

    @Test("a worker that crashes again and again is restarted every second with no start limit, and its memory is capped")
    func crashStormPolicy() throws {
        let unit = try String(contentsOfFile: PackagePaths.root + "/deploy/systemd/authsweep@.service", encoding: .utf8)
        var sections: [String: [String: String]] = [:]
        var section = ""
        for line in unit.split(separator: "\n") where !line.hasPrefix("#") {
            if line.hasPrefix("[") {
                section = String(line)
            } else if let equals = line.firstIndex(of: "=") {
                sections[section, default: [:]][String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        // systemd's default (5 starts in 10 s, then failed for good) is what
        // left a worker down after five crashes.
        #expect(sections["[Unit]"]?["StartLimitIntervalSec"] == "0")
        #expect(sections["[Service]"]?["Restart"] == "on-failure")
        #expect(sections["[Service]"]?["RestartSec"] == "1s")
        #expect(sections["[Service]"]?["MemoryMax"] == "256M")
        #expect(sections["[Service]"]?["TasksMax"] == "64")
    }

    @Test("render-nginx-site writes sites for an install that nginx accepts: the full site with its certificate, and the plain-HTTP part before it exists")
    func installSites() throws {
        let scratch = try ScratchDirectory("install")
        let tls = try SelfSignedCertificate(in: scratch.path, commonName: "cron.test.example", days: 1)
        let render = PackagePaths.root + "/deploy/render-nginx-site"
        let full = try ChildProcess.run(
            render, ["--workers", "5", "--server-name", "cron.test.example", "--certificate", tls.certificate, "--key", tls.key])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.components(separatedBy: "server unix:/run/authsweep/authsweep-").count - 1 == 5)
        #expect(full.stdout.contains("server_name cron.test.example;") && full.stdout.contains("ssl_certificate \(tls.certificate);"))
        let httpOnly = try ChildProcess.run(render, ["--http-only", "--server-name", "cron.test.example"])
        #expect(httpOnly.status == 0, "\(httpOnly.stderr)")
        #expect(!httpOnly.stdout.contains("listen 443") && !httpOnly.stdout.contains("ssl_certificate"))
        #expect(httpOnly.stdout.contains("location ^~ /.well-known/acme-challenge/"))
        for (name, site) in [("full", full.stdout), ("http-only", httpOnly.stdout)] {
            try site.write(toFile: "\(scratch.path)/\(name).conf", atomically: true, encoding: .utf8)
            let main = """
                pid \(scratch.path)/nginx.pid;
                error_log \(scratch.path)/error.log;
                events {}
                http { access_log off; include \(scratch.path)/\(name).conf; }
                """
            try main.write(toFile: scratch.path + "/nginx.conf", atomically: true, encoding: .utf8)
            let nginx = try ChildProcess.run("/usr/sbin/nginx", ["-t", "-q", "-c", scratch.path + "/nginx.conf", "-p", scratch.path])
            #expect(nginx.status == 0, "\(name): \(nginx.stderr)")
        }
    }
}
