public import Foundation

/// A real PgBouncer (Debian's package) in front of the tests' PostgreSQL,
/// on a unix socket in the test's own directory, with trust authentication.
/// As root it runs as the unprivileged `authsweep-pg` user, since PgBouncer
/// refuses to run as root.
public final class PgBouncerServer: Sendable {
    public let directory: String
    public let port: Int
    /// The daemon's process id, from its pid file.
    public let processIdentifier: pid_t

    /// - Parameters:
    ///   - poolMode: `transaction` or `session`.
    ///   - poolSize: server connections per database and user.
    public init(in scratch: String, poolMode: String = "transaction", poolSize: Int = 3) throws {
        directory = scratch + "/pgbouncer"
        port = try freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let environment = ProcessInfo.processInfo.environment
        let host = environment["AUTHSWEEP_TEST_PGHOST"] ?? environment["PGHOST"] ?? "localhost"
        let serverPort = environment["AUTHSWEEP_TEST_PGPORT"] ?? environment["PGPORT"] ?? "5432"
        let user = environment["AUTHSWEEP_TEST_PGUSER"] ?? environment["PGUSER"] ?? "postgres"
        let configuration = """
            [databases]
            * = host=\(host) port=\(serverPort)

            [pgbouncer]
            listen_addr =
            listen_port = \(port)
            unix_socket_dir = \(directory)
            auth_type = trust
            auth_file = \(directory)/users.txt
            pool_mode = \(poolMode)
            default_pool_size = \(poolSize)
            max_client_conn = 500
            server_round_robin = 0
            ignore_startup_parameters = extra_float_digits
            logfile = \(directory)/pgbouncer.log
            pidfile = \(directory)/pgbouncer.pid

            """
        try configuration.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        try "\"\(user)\" \"\"\n".write(toFile: directory + "/users.txt", atomically: true, encoding: .utf8)
        // -d: it daemonizes once it listens, and writes its pid file.
        let started: (status: Int32, stdout: String, stderr: String)
        if TestUser.isRoot {
            let chown = try ChildProcess.run("/bin/chown", ["-R", "authsweep-pg", directory])
            guard chown.status == 0 else { throw TestSetupError("chown authsweep-pg failed (scripts/test creates that user): \(chown.stderr)") }
            started = try ChildProcess.run("/usr/sbin/runuser", ["-u", "authsweep-pg", "--", "/usr/sbin/pgbouncer", "-d", directory + "/pgbouncer.ini"])
        } else {
            started = try ChildProcess.run("/usr/sbin/pgbouncer", ["-d", directory + "/pgbouncer.ini"])
        }
        let logPath = directory + "/pgbouncer.log"
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        guard started.status == 0 else { throw TestSetupError("pgbouncer failed to start: \(started.stderr) \(log())") }
        let socket = "\(directory)/.s.PGSQL.\(port)"
        let pidFile = directory + "/pgbouncer.pid"
        try waitFor("PgBouncer's socket \(socket) and pid file") {
            acceptsConnections(unixSocket: socket)
                && pid_t((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") != nil
        }
        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = pid_t(pidText) else { throw TestSetupError("no pid in \(pidFile)") }
        processIdentifier = pid
    }

    /// A libpq connection string to `database` through the pooler.
    public func connectionString(database: String) -> String {
        let user = ProcessInfo.processInfo.environment["AUTHSWEEP_TEST_PGUSER"] ?? "postgres"
        return "host=\(directory) port=\(port) dbname=\(database) user=\(user)"
    }

    deinit {
        kill(processIdentifier, SIGTERM)
        for _ in 0..<250 where kill(processIdentifier, 0) == 0 { usleep(20_000) }
        if kill(processIdentifier, 0) == 0 { kill(processIdentifier, SIGKILL) }
    }
}
