import Foundation
import Locking
import Postgres
import Synchronization
import TestSupport
import Testing

/// True for `YYYY-MM-DDTHH:MM:SS.mmmZ`, as toISOString() prints.
/// Every answer carries the contract's two headers.
func expectContractHeaders(_ response: HTTPResponse, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.headers["content-type"] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
    #expect(response.headers["cache-control"] == "no-store", sourceLocation: sourceLocation)
}

@Suite("the endpoint table, through nginx", .serialized)
final class EndpointTests {
    let stack: Stack

    init() throws {
        stack = try Stack("endpoints")
        try stack.database.insertSessions(42, prefix: "old-", expiringIn: -60)
        try stack.database.insertSessions(108, prefix: "live-", expiringIn: 3600)
        try stack.database.execute(
            """
            INSERT INTO login_attempts (email, created_at) VALUES ('old', now() - interval '25 hours'), ('new', now());
            INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at) VALUES
              ('u', 'gone', now() - interval '1 hour', NULL), ('u', 'revoked', now() + interval '1 hour', now()),
              ('u', 'live', now() + interval '1 hour', NULL);
            """)
    }

    @Test("GET /api/cron/cleanup-auth cleans the auth tables and answers Cleanup completed")
    func cleanupAuth() throws {
        let response = try stack.request("GET", "/api/cron/cleanup-auth")
        #expect(response.status == 200)
        expectContractHeaders(response)
        let json = try #require(response.json)
        #expect(json["success"] as? Bool == true)
        #expect(json["message"] as? String == "Cleanup completed")
        #expect(try stack.database.rowCount("login_attempts") == 1)
        #expect(try stack.database.rowCount("user_sessions") == 1)
        #expect(try stack.database.rowCount("Session") == 150, "cleanup-auth does not touch Session")
    }

    @Test("POST /api/cron/cleanup-sessions deletes the expired sessions and answers the count three ways")
    func cleanupSessions() throws {
        let response = try stack.request("POST", "/api/cron/cleanup-sessions")
        #expect(response.status == 200)
        expectContractHeaders(response)
        let json = try #require(response.json)
        #expect(json["success"] as? Bool == true)
        #expect(json["deletedCount"] as? Int == 42)
        #expect(json["message"] as? String == "Successfully deleted 42 expired session(s)")
        let timestamp = try #require(json["timestamp"] as? String)
        #expect(isISOTimestamp(timestamp))
        #expect(response.body.hasPrefix(#"{"success":true,"deletedCount":42,"message":"Successfully deleted 42 expired session(s)","timestamp":""#))
        #expect(try stack.database.rowCount("Session") == 108)
        #expect(try stack.database.rowCount("AuditLog", where: "action = 'SESSION_CLEANUP'") == 1)

        let again = try stack.request("POST", "/api/cron/cleanup-sessions")
        #expect(again.json?["deletedCount"] as? Int == 0)
        #expect(again.json?["message"] as? String == "Successfully deleted 0 expired session(s)")
    }

    @Test("GET /api/cron/cleanup-sessions counts and changes nothing")
    func stats() throws {
        let response = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(response.status == 200)
        expectContractHeaders(response)
        let json = try #require(response.json)
        #expect(json["success"] as? Bool == true)
        let stats = try #require(json["stats"] as? [String: Any])
        #expect(stats["total"] as? Int == 150)
        #expect(stats["active"] as? Int == 108)
        #expect(stats["expired"] as? Int == 42)
        #expect(isISOTimestamp(try #require(stats["timestamp"] as? String)))
        #expect(try stack.database.rowCount("Session") == 150)
        #expect(try stack.database.rowCount("AuditLog") == 0)
    }

    @Test("the previous secret works during a rotation")
    func previousSecret() throws {
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions", token: Stack.previousSecret).status == 200)
    }

    @Test("the scheme name is matched in any case")
    func schemeCase() throws {
        let response = try stack.request("GET", "/api/cron/cleanup-sessions", token: nil, headers: ["Authorization: bEaReR \(Stack.secret)"])
        #expect(response.status == 200)
    }

    @Test(
        "a missing, malformed or wrong Authorization is 401 with WWW-Authenticate: Bearer and touches nothing",
        arguments: [
            [String](),
            ["Authorization: Bearer wrong-secret-0123456789"],
            ["Authorization: Bearer \(Stack.secret)x"],
            ["Authorization: Bearer \(String(Stack.secret.dropLast()))"],
            ["Authorization: Basic \(Stack.secret)"],
            ["Authorization: \(Stack.secret)"],
            ["Authorization: Bearer  \(Stack.secret)"],
            ["Authorization: Bearer"],
            ["Authorization: Bearer "],
        ])
    func unauthorized(headers: [String]) throws {
        for (method, path) in [("GET", "/api/cron/cleanup-auth"), ("POST", "/api/cron/cleanup-sessions"), ("GET", "/api/cron/cleanup-sessions")] {
            let response = try stack.request(method, path, token: nil, headers: headers)
            #expect(response.status == 401)
            #expect(response.body == #"{"error":"Unauthorized"}"#)
            #expect(response.headers["www-authenticate"] == "Bearer")
            expectContractHeaders(response)
        }
        #expect(try stack.database.rowCount("Session") == 150)
        #expect(try stack.database.rowCount("login_attempts") == 2)
    }

    @Test("a secret in the query string never authenticates")
    func secretInQuery() throws {
        for query in ["secret", "token", "CRON_SECRET", "authorization"] {
            let response = try stack.request("POST", "/api/cron/cleanup-sessions?\(query)=\(Stack.secret)", token: nil)
            #expect(response.status == 401)
        }
        #expect(try stack.database.rowCount("Session") == 150)
    }

    @Test("the query string is not part of the route")
    func queryIgnoredForRouting() throws {
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions?verbose=1").status == 200)
    }

    @Test(
        "a known path with another method is 405 with Allow",
        arguments: [
            ("POST", "/api/cron/cleanup-auth", "GET"), ("PUT", "/api/cron/cleanup-auth", "GET"),
            ("DELETE", "/api/cron/cleanup-sessions", "GET, POST"), ("PATCH", "/api/cron/cleanup-sessions", "GET, POST"),
            ("OPTIONS", "/api/cron/cleanup-sessions", "GET, POST"),
        ])
    func methodNotAllowed(method: String, path: String, allow: String) throws {
        let response = try stack.request(method, path)
        #expect(response.status == 405)
        #expect(response.body == #"{"error":"Method Not Allowed"}"#)
        #expect(response.headers["allow"] == allow)
        expectContractHeaders(response)
        #expect(try stack.database.rowCount("Session") == 150)
    }

    @Test("an unknown path is 404", arguments: ["/api/cron/", "/api/cron/nope", "/api/cron/cleanup-auth/", "/api/cron/cleanup-sessions/extra"])
    func notFound(path: String) throws {
        let response = try stack.request("GET", path)
        #expect(response.status == 404)
        #expect(response.body == #"{"error":"Not Found"}"#)
        expectContractHeaders(response)
    }

    @Test("a cleanup already running elsewhere is 409, at once")
    func alreadyRunning() throws {
        let holder = try stack.database.connect()
        // Another run's lease, renewed by a live backend.
        try holder.query(
            """
            INSERT INTO authsweep_jobs (job, holder, holder_pid, lease_expires_at, server_started_at)
            VALUES ('cleanup-sessions', gen_random_uuid(), pg_backend_pid(), now() + interval '1 hour', pg_postmaster_start_time())
            """)
        let response = try stack.request("POST", "/api/cron/cleanup-sessions")
        #expect(response.status == 409)
        #expect(response.body == #"{"success":false,"error":"Cleanup already in progress"}"#)
        expectContractHeaders(response)
        #expect(try stack.database.rowCount("Session") == 150)
        try holder.query("UPDATE authsweep_jobs SET holder = NULL WHERE job = 'cleanup-sessions'")
        #expect(try stack.request("POST", "/api/cron/cleanup-sessions").status == 200)
    }

    @Test("a failing query is 500 with the fixed body; the worker stays up and recovers")
    func queryFailure() throws {
        try stack.database.execute(#"ALTER TABLE "Session" RENAME TO "Session_moved""#)
        let failed = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(failed.status == 500)
        #expect(failed.body == #"{"success":false,"error":"Internal Server Error"}"#)
        expectContractHeaders(failed)
        try stack.database.execute(#"ALTER TABLE "Session_moved" RENAME TO "Session""#)
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200)
        #expect(stack.worker.process.isRunning)
    }

    @Test("401, 404 and 405 open no database work")
    func rejectionsOpenNoConnection() throws {
        // A fresh worker has no connection until a job needs one.
        _ = try stack.request("GET", "/api/cron/cleanup-auth", token: "wrong-secret-0123456789")
        _ = try stack.request("GET", "/api/cron/unknown")
        _ = try stack.request("DELETE", "/api/cron/cleanup-auth")
        let connections = try stack.database.workerConnections()
        #expect(connections == 0)
        _ = try stack.request("GET", "/api/cron/cleanup-sessions")
        let after = try stack.database.workerConnections()
        #expect(after == 1)
    }

    @Test("a request body is drained and ignored")
    func requestBodyIgnored() throws {
        let body = String(repeating: "x", count: 12_000)
        let response = try HTTPClient.request(
            "POST", stack.nginx.baseURL + "/api/cron/cleanup-sessions",
            headers: ["Authorization: Bearer \(Stack.secret)", "Content-Type: text/plain"], body: body)
        #expect(response.status == 200)
        #expect(response.json?["deletedCount"] as? Int == 42)
    }

    @Test("with a socket group the worker's unix socket is mode 0660 in that group, without one 0600, never open to every user")
    func socketPermissions() throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: stack.worker.socketPath)
        if TestUser.isRoot {
            #expect(attributes[.posixPermissions] as? Int == 0o660)
            #expect(attributes[.groupOwnerAccountName] as? String == "www-data")
        } else {
            #expect(attributes[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test("SIGTERM stops the worker with exit status 0 and removes its socket")
    func gracefulStop() throws {
        #expect(try stack.request("GET", "/api/cron/cleanup-sessions").status == 200)
        #expect(try stack.worker.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: stack.worker.socketPath))
    }
}

@Suite("when the database cannot be reached")
final class DatabaseDownTests {
    @Test("authenticated requests answer 500 with the fixed body, rejections still answer, and no detail leaks")
    func unreachable() throws {
        let stack = try Stack("dbdown", workerEnvironment: ["DATABASE_URL": "postgresql://authsweep:db-password-xyz@127.0.0.1:1/none"])
        let response = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(response.status == 500)
        #expect(response.body == #"{"success":false,"error":"Internal Server Error"}"#)
        #expect(try stack.request("POST", "/api/cron/cleanup-sessions").status == 500)
        #expect(try stack.request("GET", "/api/cron/cleanup-auth", token: nil).status == 401)
        #expect(try stack.request("GET", "/api/cron/elsewhere").status == 404)
        #expect(try stack.request("PUT", "/api/cron/cleanup-auth").status == 405)
        #expect(stack.worker.process.isRunning)
        var log = ""
        for worker in stack.workers {
            #expect(try worker.stop() == 0)
            log += worker.process.standardError
        }
        #expect(log.contains("response.status=500"))
        #expect(!log.contains("db-password-xyz"))
        #expect(!log.contains(Stack.secret))
    }
}

@Suite("started the way spawn-fcgi starts it")
final class SpawnFCGITests {
    @Test("a worker given its listening socket on fd 0 serves requests through nginx")
    func socketOnStandardInput() throws {
        let scratch = try ScratchDirectory("spawnfcgi")
        let database = try TestDatabase.fresh("e2e_spawnfcgi")
        try database.insertSessions(3, prefix: "old-", expiringIn: -60)
        let socketPath = scratch.path + "/authsweep-1.sock"
        var arguments = ["-n", "-s", socketPath, "-M", "0660"]
        if TestUser.isRoot { arguments += ["-G", "www-data"] }
        arguments += ["--", PackagePaths.binary, "serve", "--threads", "2"]
        // -n: spawn-fcgi execs the worker in place, fd 0 being the socket.
        let worker = try ChildProcess(
            "/usr/bin/spawn-fcgi", arguments,
            environment: [
                "CRON_SECRET": Stack.secret, "CRON_SECRET_FILE": nil, "DATABASE_URL": database.connectionString,
            ])
        try waitFor("the spawned worker") { acceptsConnections(unixSocket: socketPath) || !worker.isRunning }
        let nginx = try NginxServer(directory: scratch.path, socketDirectory: scratch.path)
        let response = try HTTPClient.request("POST", nginx.baseURL + "/api/cron/cleanup-sessions", headers: ["Authorization: Bearer \(Stack.secret)"])
        #expect(response.status == 200)
        #expect(response.json?["deletedCount"] as? Int == 3)
        worker.signal(SIGTERM)
        #expect(worker.waitUntilExit(timeout: 10))
        #expect(worker.exitStatus == 0)
    }
}

@Suite("restarted on a socket it was given, as systemd restarts a worker")
final class RestartOnHeldSocketTests {
    /// What the clients saw, shared with their threads.
    final class Tally: Sendable {
        let stop = Atomic<Bool>(false)
        let counts = Locked((answered: 0, failed: 0, retried: 0))
    }

    @Test("no request is refused or lost while the worker stops and the next one starts on the same socket")
    func restartRefusesNothing() throws {
        let scratch = try ScratchDirectory("restart")
        let database = try TestDatabase.fresh("e2e_restart")
        let socketPath = scratch.path + "/authsweep-1.sock"
        let listener = try listeningUnixSocket(socketPath)
        defer { close(listener) }
        func start() throws -> ChildProcess {
            try ChildProcess(
                PackagePaths.binary, ["serve", "--threads", "2"],
                environment: ["CRON_SECRET": Stack.secret, "CRON_SECRET_FILE": nil, "DATABASE_URL": database.connectionString],
                inputDescriptor: listener)
        }
        let first = try start()
        // Clients back to back, one connection per request and one kept
        // connection: at the SIGTERM some requests are half sent, some being
        // answered, some queued, and a kept connection sits idle. A kept
        // connection closed while idle is tried again on a new one, as
        // nginx does with its cached connections; nothing else is.
        let tally = Tally()
        let clients = [false, false, true].map { keeps in
            Thread {
                var kept: FastCGIConnection?
                while !tally.stop.load(ordering: .relaxed) {
                    let request = FastCGIRecord.request(method: "GET", path: "/api/cron/health", keepConnection: keeps)
                    func ask(_ connection: FastCGIConnection) -> Bool {
                        // In two writes, so that some SIGTERMs fall between them.
                        connection.send(Array(request[..<20]))
                        connection.send(Array(request[20...]))
                        let answer = keeps ? connection.receiveOneResponse() : connection.receiveAll()
                        return FastCGIRecord.parseResponse(answer).map { [200, 503].contains($0.status) } ?? false
                    }
                    var answered = false
                    if let reused = kept {
                        answered = ask(reused)
                        if !answered {
                            kept = nil
                            tally.counts.withLock { $0.retried += 1 }
                        }
                    }
                    if !answered, let fresh = try? FastCGIConnection(unixSocket: socketPath) {
                        answered = ask(fresh)
                        if keeps, answered { kept = fresh }
                    }
                    tally.counts.withLock { answered ? ($0.answered += 1) : ($0.failed += 1) }
                }
            }
        }
        clients.forEach { $0.start() }
        usleep(700_000)
        first.signal(SIGTERM)
        #expect(first.waitUntilExit(timeout: 5))
        #expect(first.exitStatus == 0)
        let second = try start()
        usleep(700_000)
        tally.stop.store(true, ordering: .relaxed)
        while clients.contains(where: { !$0.isFinished }) { usleep(10_000) }
        second.signal(SIGTERM)
        #expect(second.waitUntilExit(timeout: 5))
        let (answered, failed, retried) = tally.counts.withLock { ($0.answered, $0.failed, $0.retried) }
        #expect(failed == 0, "\(failed) of \(answered + failed) requests were refused or lost (\(retried) retried on a new connection)")
        #expect(answered > 50)
    }
}
