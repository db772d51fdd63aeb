import AuthSweep
import Foundation
import Postgres
import TestSupport
import Testing

/// A stock Auth.js database with Prisma, either schema Auth.js documents,
/// and nothing set but the application's own `DATABASE_URL`: the largest
/// group of users, with no "AuditLog", no role on "User", no index on
/// "expires" and the contract's cleanup-auth tables nowhere.
@Suite("Auth.js's own Prisma schema with nothing set", .serialized)
struct AuthJSPrismaTests {
    static let secret = ["CRON_SECRET": "framework-test-secret-0123456789"]

    /// The database with the schema, the lease table and the grants of docs/frameworks/authjs-prisma.md.
    func stockDatabase(_ framework: UpstreamFramework) throws -> TestDatabase {
        let database = try TestDatabase.empty("fw_authjs_\(framework.label)", timeZone: FrameworkOracle.databaseTimeZone)
        try framework.createTables(in: database)
        try database.execute(try String(contentsOfFile: PackagePaths.root + "/deploy/authsweep-tables.sql", encoding: .utf8))
        try FrameworkOracle.grantPrivileges(of: framework, on: database)
        return database
    }

    @Test(
        "check passes, cleanup-sessions and cleanup-all succeed, status is ok; no audit row is written where there is no \"AuditLog\"",
        arguments: [Frameworks.authjsPrismaAdapter, Frameworks.authjsPrismaGuide])
    func nothingSet(framework: UpstreamFramework) throws {
        let database = try stockDatabase(framework)
        let now = Int(Date().timeIntervalSince1970)
        try framework.open(database).write([("old-token", now - 60, nil), ("live-token", now + 86_400, nil)])
        var environment: [String: String?] = Self.secret
        environment["DATABASE_URL"] = UpstreamFramework.prismaURL(database, user: FrameworkOracle.worker)

        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains(#"ok      no table "AuditLog": runs are recorded in authsweep_jobs"#), "\(check.stdout)")
        #expect(check.stdout.contains(#"ok      "User" has no column "role": users set-role cannot be used"#), "\(check.stdout)")
        #expect(check.stdout.contains("ok      cleanup-auth does not run here: none of its tables"), "\(check.stdout)")
        #expect(check.stdout.contains(#"WARNING "Session" has no index on "expires": harmless at its size now"#), "\(check.stdout)")
        #expect(check.stdout.contains("DATABASE_URL: schema is honoured"), "\(check.stdout)")
        let onlyURL = try authsweep(["check"], database: nil, environment: ["DATABASE_URL": environment["DATABASE_URL"] ?? nil])
        #expect(onlyURL.status == 0, "nothing but DATABASE_URL: \(onlyURL.stdout)\(onlyURL.stderr)")

        let cleanup = try authsweep(["cleanup-sessions", "--json"], database: nil, environment: environment)
        #expect(cleanup.status == 0, "\(cleanup.stderr)")
        #expect(cleanup.stdout.contains(#""deletedCount":1,"#), "\(cleanup.stdout)")
        #expect(try FrameworkOracle.keys(in: database, of: framework) == ["live-token"])
        let all = try authsweep(["cleanup-all"], database: nil, environment: environment)
        #expect(all.status == 0, "cleanup-auth is not run where none of its tables is: \(all.stderr)")
        let status = try authsweep(["status", "--json"], database: nil, environment: environment)
        #expect(status.status == 0 && status.stdout.hasPrefix(#"{"status":"ok""#), "\(status.stdout)\(status.stderr)")
        #expect(try database.integer("SELECT count(*) FROM authsweep_jobs WHERE job = 'cleanup-sessions' AND last_result = 'success'") == 1)

        // Only users set-role needs a role, and it says so.
        var administration = environment
        administration["DATABASE_URL"] = UpstreamFramework.prismaURL(database)
        let setRole = try authsweep(["users", "set-role", "user-1", "ADMIN"], database: nil, environment: administration)
        #expect(setRole.status == 1)
        #expect(setRole.stderr.contains(#"column "role" of table "User" does not exist"#) && setRole.stderr.contains("user.role"), "\(setRole.stderr)")
        let revoke = try authsweep(["sessions", "revoke", "live-token"], database: nil, environment: administration)
        #expect(revoke.status == 0, "\(revoke.stderr)")
    }

    @Test(
        "config and check print what became of each of Prisma's parameters; a string that cannot be used exits 64 naming the parameter, on every command"
    )
    func prismaParameters() throws {
        let framework = Frameworks.authjsPrismaAdapter
        let database = try stockDatabase(framework)
        let url =
            UpstreamFramework.prismaURL(database)
            + "&connection_limit=5&pool_timeout=10&pgbouncer=true&statement_cache_size=0&socket_timeout=30&sslpassword=not-a-key"
        var environment: [String: String?] = Self.secret
        environment["DATABASE_URL"] = url
        let config = try authsweep(["config"], database: nil, environment: environment)
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(config.status == 0 && check.status == 0, "\(config.stderr)\(check.stdout)")
        for name in ["connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout"] {
            #expect(config.stdout.contains("\(name) is ignored: "), "config names \(name): \(config.stdout)")
            #expect(check.stdout.contains("DATABASE_URL: \(name) is ignored: "), "check names \(name): \(check.stdout)")
        }
        #expect(config.stdout.contains("sslpassword is not used") && check.stdout.contains("sslpassword is not used"))
        #expect(!config.stdout.contains("not-a-key") && !check.stdout.contains("not-a-key"), "no secret printed")

        environment["DATABASE_URL"] = UpstreamFramework.prismaURL(database) + "&sslidentity=client.p12&sslpassword=p12-secret"
        for command in [["check"], ["config"], ["cleanup-sessions"], ["stats"]] {
            let refused = try authsweep(command, database: nil, environment: environment)
            #expect(refused.status == 64, "\(command): \(refused.status) \(refused.stderr)")
            #expect(refused.stderr.contains("sslidentity") && !refused.stderr.contains("p12-secret"), "\(command): \(refused.stderr)")
            #expect(!(refused.stdout + refused.stderr).contains("running"), "no hint that the server is down: \(refused.stdout)\(refused.stderr)")
        }
    }

    @Test("Prisma's schema= finds the tables in a schema of their own, which no search path names")
    func ownSchema() throws {
        let framework = Frameworks.authjsPrismaAdapter
        let database = try TestDatabase.empty("fw_authjs_own_schema")
        let ddl = try String(contentsOfFile: "\(UpstreamFramework.directory)/\(framework.schema).sql", encoding: .utf8)
        try database.execute("CREATE SCHEMA app; SET search_path = app;\n" + ddl + "\n" + framework.seed)
        let now = Int(Date().timeIntervalSince1970)
        let sessions = [("old-token", now - 60), ("live-token", now + 86_400)].map { framework.insertSQL(key: $0, epoch: $1) }
        try database.execute("SET search_path = app;\n" + sessions.joined(separator: ";\n"))
        var environment: [String: String?] = Self.secret
        environment["DATABASE_URL"] = UpstreamFramework.prismaURL(database).replacing("schema=public", with: "schema=app")
        let cleanup = try authsweep(["cleanup-sessions", "--json"], database: nil, environment: environment)
        #expect(cleanup.status == 0 && cleanup.stdout.contains(#""deletedCount":1,"#), "\(cleanup.stdout)\(cleanup.stderr)")
        #expect(try database.integer(#"SELECT count(*) FROM app."Session""#) == 1)
        #expect(try database.integer("SELECT count(*) FROM app.authsweep_jobs WHERE last_result = 'success'") == 1, "the lease table is made beside the tables")
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 0 && check.stdout.contains("DATABASE_URL: schema is honoured: every transaction searches app"), "\(check.stdout)")
        #expect(check.stdout.contains(#"CREATE INDEX CONCURRENTLY "Session_expires_idx" ON app."Session" ("expires");"#), "\(check.stdout)")
        let wrong = try authsweep(["stats"], database: nil, environment: ["DATABASE_URL": UpstreamFramework.prismaURL(database)])
        #expect(
            wrong.status == 1 && wrong.stderr.contains(#"column "expires" of table "Session" does not exist"#), "schema=public finds nothing: \(wrong.stderr)")
    }
}
