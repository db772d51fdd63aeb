import Foundation

/// A PostgreSQL cluster of one test's own, for tests that stop and start
/// the server. As root it runs as the unprivileged `authsweep-pg` user that
/// scripts/test creates, since PostgreSQL refuses to run as root.
public final class PostgresServer: Sendable {
    public let directory: String
    private let binaries: String

    /// libpq connection string for the `postgres` database over the cluster's unix socket.
    public var connectionString: String { "host=\(directory) dbname=postgres user=postgres" }

    public init(in scratch: String) throws {
        directory = scratch + "/pg"
        // A parent made here must stay traversable by the server's user.
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else {
            throw TestSetupError("no PostgreSQL server under /usr/lib/postgresql; run scripts/test")
        }
        binaries = "/usr/lib/postgresql/\(newest)/bin"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if TestUser.isRoot {
            let chown = try ChildProcess.run("/bin/chown", ["authsweep-pg", directory])
            guard chown.status == 0 else { throw TestSetupError("chown authsweep-pg failed (scripts/test creates that user): \(chown.stderr)") }
        }
        try run("initdb", ["-D", "\(directory)/data", "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
        try start()
    }

    /// A streaming standby of `primary` (`pg_basebackup -R`), started, on a
    /// socket of its own.
    public init(standbyOf primary: PostgresServer, in scratch: String) throws {
        directory = scratch + "/pg"
        binaries = primary.binaries
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if TestUser.isRoot {
            let chown = try ChildProcess.run("/bin/chown", ["authsweep-pg", directory])
            guard chown.status == 0 else { throw TestSetupError("chown authsweep-pg failed: \(chown.stderr)") }
        }
        try run(
            "pg_basebackup", ["-D", "\(directory)/data", "-h", primary.directory, "-U", "postgres", "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"])
        try start()
    }

    /// A multi-host connection string that reaches whichever of `servers`
    /// accepts writes, as a failover-ready DATABASE_URL does.
    public static func readWriteConnectionString(_ servers: [PostgresServer], database: String = "postgres") -> String {
        "host=\(servers.map(\.directory).joined(separator: ",")) dbname=\(database) user=postgres target_session_attrs=read-write connect_timeout=2"
    }

    /// Stops at once, as a crash or a failover does (`-m immediate`).
    public func crash() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"])
    }

    /// Promotes a standby to a primary and waits until it accepts writes.
    public func promote() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-w", "promote"])
    }

    /// Makes `role` log in with its password (SCRAM), every other role
    /// still trusted, and has the server read it.
    public func requirePassword(for role: String) throws {
        let rules = "local all \(role) scram-sha-256\nlocal all all trust\n"
        // Written in place: the file keeps its owner, the server's user.
        guard let file = FileHandle(forWritingAtPath: "\(directory)/data/pg_hba.conf") else {
            throw TestSetupError("cannot write \(directory)/data/pg_hba.conf")
        }
        try file.truncate(atOffset: 0)
        try file.write(contentsOf: Data(rules.utf8))
        try file.close()
        try run("pg_ctl", ["-D", "\(directory)/data", "reload"])
    }

    public func start() throws {
        try run(
            "pg_ctl",
            [
                "-D", "\(directory)/data", "-l", "\(directory)/postgresql.log", "-w", "-t", "30",
                "-o", "-c listen_addresses='' -c unix_socket_directories='\(directory)' -c fsync=off", "start",
            ])
    }

    public func stop() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-m", "fast", "-w", "stop"])
    }

    private func run(_ program: String, _ arguments: [String]) throws {
        let result =
            TestUser.isRoot
            ? try ChildProcess.run("/usr/sbin/runuser", ["-u", "authsweep-pg", "--", "\(binaries)/\(program)"] + arguments)
            : try ChildProcess.run("\(binaries)/\(program)", arguments)
        guard result.status == 0 else {
            throw TestSetupError("\(program) failed (\(result.status)): \(result.stderr) \(result.stdout)")
        }
    }

    deinit {
        try? stop()
    }
}
