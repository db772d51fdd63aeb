import AuthSweep
import Foundation
import Postgres
import TestSupport
import Testing

/// A web framework as the oracle of which sessions are expired: its own
/// tables, sessions written its way, its own cleanup, and what it still
/// reads as a live session.
protocol SessionFramework: Sendable, CustomTestStringConvertible {
    var name: String { get }
    var preset: SessionPreset { get }
    /// authsweep's environment for this framework besides `DATABASE_URL`.
    var settings: [String: String?] { get }
    /// For a last-activity rule, how long a session lives after it; 0 for an expiry.
    var lifetimeSeconds: Int { get }
    /// `DATABASE_URL` as the framework's users have it, for `user` (the test server's superuser when nil).
    func databaseURL(_ database: TestDatabase, user: String?) -> String
    /// Creates the tables as the framework's migration does.
    func createTables(in database: TestDatabase) throws
    /// Opens the framework on `database`, for the calls below.
    func open(_ database: TestDatabase) throws -> any OpenFramework
}

/// A framework at work on one database.
protocol OpenFramework {
    /// Writes sessions whose rule moment (the expiry, or the last activity)
    /// is the given Unix second, and `created` their creation, where kept.
    func write(_ sessions: [(key: String, moment: Int, created: Int?)]) throws
    /// Updates a session as a request would, its moment moved to `moment`.
    func refresh(key: String, moment: Int) throws
    /// Starts the framework's own cleanup now; the result waits for its end.
    func startCleanup() throws -> () throws -> Void
    /// The keys the framework reads as live sessions now.
    func live(_ keys: [String]) throws -> Set<String>
}

extension SessionFramework {
    var testDescription: String { name }

    /// A short name for its databases, unique among the frameworks tested.
    var label: String { String(name.lowercased().filter { $0.isLetter || $0.isNumber }.suffix(24)) }

    func databaseURL(_ database: TestDatabase, user: String?) -> String { user.map(database.connectionString(user:)) ?? database.connectionString }

    /// The tables the framework page's grants name (docs/frameworks/): the sessions and its verification tokens.
    var grantedTables: [String] {
        let names = preset.tableNames
        return [names.session] + [names.verificationToken].compactMap { $0 }
    }
}

/// A framework that runs here, through its driver in `Frameworks/` (see its README).
struct DriverFramework: SessionFramework {
    let name: String
    let preset: SessionPreset
    /// `python3 .../driver.py` and the like.
    let command: [String]
    /// The driver's environment (APP_TIME_ZONE, DJANGO_USE_TZ, ...).
    var options: [String: String] = [:]
    var settings: [String: String?] = [:]
    var lifetimeSeconds = 0

    func createTables(in database: TestDatabase) throws {
        _ = try Driver(self, database).call("migrate")
    }

    func open(_ database: TestDatabase) throws -> any OpenFramework {
        try Driver(self, database)
    }

    static let directory = PackagePaths.root + "/Tests/FrameworkTests/Frameworks"

    /// One driver process on one database.
    final class Driver: OpenFramework {
        let process: ChildProcess

        init(_ framework: DriverFramework, _ database: TestDatabase) throws {
            let (host, port, user) = TestDatabase.serverParameters
            var environment: [String: String?] = ["PGHOST": host, "PGPORT": port, "PGUSER": user, "PGDATABASE": database.name]
            for (key, value) in framework.options { environment[key] = value }
            process = try ChildProcess("/usr/bin/env", framework.command, environment: environment, conversing: true)
            // Loaded and answering before anything is timed.
            _ = try call("now")
        }

        /// Sends a command and returns what follows `ok`.
        @discardableResult
        func call(_ command: String) throws -> String {
            try process.say(command)
            return try answer(to: command)
        }

        private func answer(to command: String) throws -> String {
            let line = try process.hear()
            guard line == "ok" || line.hasPrefix("ok ") else {
                throw TestSetupError("driver answered '\(line)' to '\(command.prefix(80))'; stderr: \(process.standardError)")
            }
            return String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
        }

        func write(_ sessions: [(key: String, moment: Int, created: Int?)]) throws {
            for session in sessions {
                try call("write \(session.key) \(session.moment)" + (session.created.map { " \($0)" } ?? ""))
            }
        }

        func refresh(key: String, moment: Int) throws {
            try call("refresh \(key) \(moment)")
        }

        func startCleanup() throws -> () throws -> Void {
            try process.say("cleanup")
            return { _ = try self.answer(to: "cleanup") }
        }

        func live(_ keys: [String]) throws -> Set<String> {
            guard !keys.isEmpty else { return [] }
            return Set(try call("read " + keys.joined(separator: " ")).split(separator: " ").map(String.init))
        }
    }
}

/// A framework that cannot run here (its packages are npm's): its upstream
/// DDL, committed with its provenance in `Upstream/`, and its expiry rule
/// as SQL, read from its source (see `Upstream/README.md`).
struct UpstreamFramework: SessionFramework {
    let name: String
    let preset: SessionPreset
    /// The DDL file in `Upstream/`, without `.sql`.
    let schema: String
    /// SQL run after the DDL: the user the sessions belong to.
    let seed: String
    /// The session table and its key column, quoted.
    let table: String
    let keyColumn: String
    /// SQL inserting a session with key `$key` whose rule column holds `$moment`.
    let insert: String
    /// The rule column's value for a Unix second `$epoch`, as the framework writes it.
    let moment: String
    /// SQL true for a session the framework treats as expired now.
    let expired: String
    var settings: [String: String?] = [:]
    /// Whether authsweep is given Prisma's own `DATABASE_URL` (`?schema=public`).
    var prismaURL = false
    var lifetimeSeconds: Int { 0 }

    static let directory = PackagePaths.root + "/Tests/FrameworkTests/Upstream"

    func databaseURL(_ database: TestDatabase, user: String?) -> String {
        guard prismaURL else { return user.map(database.connectionString(user:)) ?? database.connectionString }
        return Self.prismaURL(database, user: user)
    }

    /// The database's URL as Prisma's `.env` has it.
    static func prismaURL(_ database: TestDatabase, user: String? = nil) -> String {
        let (host, port, superuser) = TestDatabase.serverParameters
        let user = user ?? superuser
        let encodedHost = host.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? host
        return host.hasPrefix("/")
            ? "postgresql://\(user)@/\(database.name)?host=\(encodedHost)&port=\(port)&schema=public"
            : "postgresql://\(user)@\(host):\(port)/\(database.name)?schema=public"
    }

    func createTables(in database: TestDatabase) throws {
        try database.execute(try String(contentsOfFile: "\(Self.directory)/\(schema).sql", encoding: .utf8))
        try database.execute(seed)
    }

    func open(_ database: TestDatabase) throws -> any OpenFramework { Open(framework: self, database: database) }

    struct Open: OpenFramework {
        let framework: UpstreamFramework
        let database: TestDatabase

        func write(_ sessions: [(key: String, moment: Int, created: Int?)]) throws {
            try database.execute(sessions.map { framework.insertSQL(key: $0.key, epoch: $0.moment) + ";" }.joined(separator: "\n"))
        }

        func refresh(key: String, moment: Int) throws {
            let value = framework.moment.replacing("$epoch", with: String(moment))
            try database.execute("UPDATE \(framework.table) SET \(framework.ruleColumn) = \(value) WHERE \(framework.keyColumn) = '\(key)'")
        }

        func startCleanup() throws -> () throws -> Void {
            try database.execute("DELETE FROM \(framework.table) WHERE \(framework.expired)")
            return {}
        }

        func live(_ keys: [String]) throws -> Set<String> {
            let list = keys.map { "'\($0)'" }.joined(separator: ",")
            let rows = try database.connect().query(
                .init(
                    unsafeSQL: "SELECT \(framework.keyColumn) FROM \(framework.table) WHERE \(framework.keyColumn) IN (\(list)) AND NOT (\(framework.expired))")
            ).rows
            return Set(rows.compactMap { $0.first ?? nil })
        }
    }

    /// The SQL that inserts a session with `key` whose rule column holds the Unix second `epoch`, as the framework writes it.
    func insertSQL(key: String, epoch: Int) -> String {
        insert.replacing("$key", with: "'\(key)'").replacing("$moment", with: moment.replacing("$epoch", with: String(epoch)))
    }

    /// The rule column, quoted: the one the preset names.
    var ruleColumn: String { "\"\(preset.tableNames.sessionExpires)\"" }
}
