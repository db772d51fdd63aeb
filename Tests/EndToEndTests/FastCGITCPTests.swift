import Foundation
import TestSupport
import Testing

/// A worker on a TCP listener: the rules that only apply to TCP peers.
/// The requests here are refused with 401 before any database work, so no
/// PostgreSQL is needed.
@Suite("a worker listening on TCP", .serialized)
final class FastCGITCPTests {
    /// Starts `authsweep serve` on `host`:port with `environment` added; waits until it listens.
    func startWorker(host: String = "127.0.0.1", environment: [String: String?] = [:]) throws -> (ChildProcess, Int) {
        let port = try freePort()
        var merged: [String: String?] = ["CRON_SECRET": "tcp-test-secret-0123456789", "CRON_SECRET_FILE": nil, "DATABASE_URL": "postgresql:///nowhere"]
        for (key, value) in environment { merged[key] = value }
        let process = try ChildProcess(
            PackagePaths.binary, ["serve", "--listen", "\(host):\(port)", "--threads", "2"], environment: merged)
        // "serving" is logged once every responder runs, after the start-up notices.
        try waitFor("the worker on port \(port)") { process.standardError.contains("serving") || !process.isRunning }
        guard process.isRunning else { throw TestSetupError("authsweep serve exited: \(process.standardError)") }
        return (process, port)
    }

    func status(port: Int) throws -> Int? {
        let connection = try FastCGIConnection(port: port)
        connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-auth"))
        return FastCGIRecord.parseResponse(connection.receiveAll())?.status
    }

    @Test("FCGI_WEB_SERVER_ADDRS lets in only the web servers it lists")
    func webServerAddresses() throws {
        let (refusing, refusingPort) = try startWorker(environment: ["FCGI_WEB_SERVER_ADDRS": "127.0.0.2, ::2"])
        defer { refusing.signal(SIGTERM) }
        #expect(try status(port: refusingPort) == nil, "a peer outside the list gets no answer")
        let (allowing, allowingPort) = try startWorker(environment: ["FCGI_WEB_SERVER_ADDRS": "127.0.0.2,127.0.0.1"])
        defer { allowing.signal(SIGTERM) }
        #expect(try status(port: allowingPort) == 401)
        refusing.signal(SIGTERM)
        #expect(refusing.waitUntilExit(timeout: 10))
        #expect(refusing.standardError.contains("fastcgi.rejection=peer_not_allowed"))
    }

    @Test("a list that is not IP addresses stops the worker at start, naming the word")
    func invalidWebServerAddresses() throws {
        let port = try freePort()
        let process = try ChildProcess(
            PackagePaths.binary, ["serve", "--listen", "127.0.0.1:\(port)"],
            environment: ["CRON_SECRET": "tcp-test-secret-0123456789", "CRON_SECRET_FILE": nil, "FCGI_WEB_SERVER_ADDRS": "127.0.0.1,nginx.local"])
        #expect(process.waitUntilExit(timeout: 10))
        #expect(process.exitStatus == 64)
        #expect(process.standardError.contains("'nginx.local' is not an IP address"))
    }

    @Test("a listener other hosts can reach is warned about; loopback is not")
    func nonLoopbackWarning() throws {
        let (open, _) = try startWorker(host: "0.0.0.0")
        open.signal(SIGTERM)
        #expect(open.waitUntilExit(timeout: 10))
        #expect(open.standardError.contains("accepts FastCGI from other hosts"))
        let (loopback, _) = try startWorker()
        loopback.signal(SIGTERM)
        #expect(loopback.waitUntilExit(timeout: 10))
        #expect(!loopback.standardError.contains("accepts FastCGI from other hosts"))
        let (listed, _) = try startWorker(host: "0.0.0.0", environment: ["FCGI_WEB_SERVER_ADDRS": "127.0.0.1"])
        listed.signal(SIGTERM)
        #expect(listed.waitUntilExit(timeout: 10))
        #expect(!listed.standardError.contains("accepts FastCGI from other hosts"), "not once the allowed web servers are listed")
    }

    @Test("after the answer a TCP peer that keeps trickling bytes is closed within the linger bound, and holds no responder")
    func boundedLingeringClose() throws {
        let (worker, port) = try startWorker(environment: ["AUTHSWEEP_SERVE_READ_TIMEOUT_SECONDS": "30"])
        defer { worker.signal(SIGTERM) }
        var tricklers: [FastCGIConnection] = []
        for _ in 0..<4 {  // two per responder
            let connection = try FastCGIConnection(port: port)
            connection.send(FastCGIRecord.request(method: "GET", path: "/api/cron/cleanup-auth"))
            #expect(FastCGIRecord.parseResponse(connection.receiveOneResponse())?.status == 401)
            tricklers.append(connection)
        }
        let started = Date()
        var open = tricklers
        while !open.isEmpty, Date().timeIntervalSince(started) < 8 {
            // The worker half-closes after the answer, so reading shows an
            // end at once; only a send that fails shows the full close.
            open = open.filter { $0.sendWithoutWaiting([0]) == 1 }
            let fresh = Date()
            #expect(try status(port: port) == 401)
            #expect(Date().timeIntervalSince(fresh) < 1, "a fresh request is answered while the others trickle")
            usleep(200_000)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(open.isEmpty, "the worker closed every trickling connection")
        #expect(elapsed > 1.5 && elapsed < 4, "after the 2 s bound, not at once and not at the 30 s read timeout")
    }
}
