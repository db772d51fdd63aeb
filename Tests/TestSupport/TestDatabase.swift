public import AuthSweep
import Foundation
public import Postgres

/// A database of its own for one test suite, on the PostgreSQL that the
/// test command started (`AUTHSWEEP_TEST_PG*`). It is dropped and created
/// again with `deploy/schema.sql` on every `fresh`.
///
/// When no PostgreSQL is reachable the tests fail, never skip.
public struct TestDatabase: Sendable {
    public let name: String
    /// libpq key=value connection string for this database.
    public let connectionString: String

    /// A database that exists already (on a server a test started itself).
    public init(name: String, connectionString: String) {
        self.name = name
        self.connectionString = connectionString
    }

    static var server: String {
        let (host, port, user) = serverParameters
        return "host='\(host)' port=\(port) user='\(user)'"
    }

    /// Drops and creates `authsweep_test_<name>` and loads the schema.
    public static func fresh(_ name: String) throws -> TestDatabase {
        let database = TestDatabase(name: "authsweep_test_\(name)", connectionString: "\(server) dbname=authsweep_test_\(name)")
        let maintenance: PGConnection
        do {
            maintenance = try PGConnection(connectionString: "\(server) dbname=postgres")
        } catch {
            throw TestSetupError("PostgreSQL for the tests is not reachable (\(server)); run scripts/test. \(error.debugDescription)")
        }
        try maintenance.query("SET client_min_messages = warning")
        try maintenance.executeScript(unsafeSQL: "DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)")
        try maintenance.executeScript(unsafeSQL: "CREATE DATABASE \(database.name)")
        try database.resetSchema()
        return database
    }

    /// Drops and creates `authsweep_test_<name>` with no tables at all (a
    /// framework's own migration makes them), or as a copy of `template`.
    /// `timeZone` becomes the database's default `TimeZone`.
    public static func empty(_ name: String, copying template: TestDatabase? = nil, timeZone: String? = nil) throws -> TestDatabase {
        let database = TestDatabase(name: "authsweep_test_\(name)", connectionString: "\(server) dbname=authsweep_test_\(name)")
        let maintenance = try PGConnection(connectionString: "\(server) dbname=postgres")
        try maintenance.query("SET client_min_messages = warning")
        try maintenance.executeScript(unsafeSQL: "DROP DATABASE IF EXISTS \(database.name) WITH (FORCE)")
        try maintenance.executeScript(unsafeSQL: "CREATE DATABASE \(database.name)" + (template.map { " TEMPLATE \($0.name)" } ?? ""))
        if let timeZone {
            try maintenance.executeScript(unsafeSQL: "ALTER DATABASE \(database.name) SET TimeZone = '\(timeZone)'")
        }
        return database
    }

    /// The connection string of this database for another role.
    public func connectionString(user: String) -> String {
        let (host, port, _) = Self.serverParameters
        return "host='\(host)' port=\(port) user='\(user)' dbname=\(name)"
    }

    /// Drops this database.
    public func drop() throws {
        let maintenance = try PGConnection(connectionString: "\(Self.server) dbname=postgres")
        try maintenance.query("SET client_min_messages = warning")
        try maintenance.executeScript(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The server's libpq parameters (`host`, `port`, `user`), for a
    /// framework that connects on its own, and for a URI.
    public static var serverParameters: (host: String, port: String, user: String) {
        let environment = ProcessInfo.processInfo.environment
        return (
            environment["AUTHSWEEP_TEST_PGHOST"] ?? environment["PGHOST"] ?? "localhost",
            environment["AUTHSWEEP_TEST_PGPORT"] ?? environment["PGPORT"] ?? "5432",
            environment["AUTHSWEEP_TEST_PGUSER"] ?? environment["PGUSER"] ?? "postgres"
        )
    }

    /// Loads `deploy/schema.sql` again: every table empty.
    public func resetSchema() throws {
        let connection = try connect()
        try connection.query("SET client_min_messages = warning")
        try connection.executeScript(unsafeSQL: Self.schema)
    }

    /// `deploy/schema.sql`: the contract's tables and authsweep's own.
    public static var schema: String {
        get throws { try String(contentsOfFile: PackagePaths.root + "/deploy/schema.sql", encoding: .utf8) }
    }

    /// Rows of `authsweep_jobs` whose lease is held by a live backend.
    public func leasesHeld() throws -> Int {
        try integer(
            """
            SELECT count(*) FROM authsweep_jobs j
            WHERE j.holder IS NOT NULL AND j.lease_expires_at > now()
              AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = j.holder_pid)
            """)
    }

    public func connect() throws -> PGConnection {
        try PGConnection(connectionString: connectionString)
    }

    /// The default configuration, pointed at this database.
    public func configuration(_ change: (inout Configuration) -> Void = { _ in }) -> Configuration {
        var configuration = Configuration()
        configuration.databaseURL = connectionString
        change(&configuration)
        return configuration
    }

    /// Environment for a child `authsweep` process using this database.
    public var environment: [String: String] {
        ["DATABASE_URL": connectionString]
    }

    /// Runs one statement on a new connection and returns the first value as an integer.
    public func integer(_ query: SQLQuery) throws -> Int {
        try connect().query(query).int()
    }

    /// Runs trusted SQL (one or more statements) on a new connection.
    public func execute(_ sql: String) throws {
        try connect().executeScript(unsafeSQL: sql)
    }

    /// Advisory locks held in this database (other suites' databases aside).
    public func advisoryLocks() throws -> Int {
        try integer("SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = \(name)")
    }

    /// Makes the next cleanup of the session table fail once it holds its
    /// lease: one expired session, and a trigger that refuses to delete it.
    public func failSessionDeletes() throws {
        try insertSessions(1, prefix: "undeletable-", expiringIn: -60)
        try execute(
            """
            CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'deleting sessions is refused'; END $$;
            CREATE TRIGGER refuse_delete BEFORE DELETE ON "Session" FOR EACH ROW EXECUTE FUNCTION refuse_delete();
            """)
    }

    /// Inserts `count` NextAuth sessions `<prefix><n>` (n from 1) for
    /// `userID`, expiring `seconds` from now (UTC) minus n seconds.
    public func insertSessions(_ count: Int, prefix: String, userID: String = "user-1", expiringIn seconds: Int) throws {
        precondition(seconds <= 0 || seconds > count, "sessions meant to be active must all expire after now")
        try connect().query(
            """
            INSERT INTO "Session" (id, "sessionToken", "userId", expires)
            SELECT \(prefix) || n, md5(\(prefix) || n || random()::text), \(userID),
                   (now() AT TIME ZONE 'UTC') + make_interval(secs => \(seconds)::int - n)
            FROM generate_series(1, \(count)::int) AS n
            """
        )
    }
}
