import AuthSweep
import Foundation
import Postgres
import TestSupport
import Testing

/// The frameworks as they are found: Django, Laravel and Rails run here
/// and are the oracle themselves (their migration makes the table, they
/// write and refresh the sessions, their own cleanup runs on an identical
/// copy); Auth.js, Better Auth and Lucia are npm packages, so their
/// upstream DDL and rule stand in (`Upstream/`, with provenance).
enum Frameworks {
    static let zone = "America/New_York"
    static let directory = DriverFramework.directory

    static let django = DriverFramework(name: "Django", preset: .django, command: ["python3", "\(directory)/django/driver.py"])
    /// `USE_TZ = False`: Django sets the connection's TimeZone to
    /// TIME_ZONE, so the timestamptz column still holds the right moment.
    static let djangoLocal = DriverFramework(
        name: "Django with USE_TZ = False in New York", preset: .django, command: ["python3", "\(directory)/django/driver.py"],
        options: ["DJANGO_USE_TZ": "false", "APP_TIME_ZONE": zone])
    static let laravel = DriverFramework(
        name: "Laravel", preset: .laravel, command: ["php", "\(directory)/laravel/driver.php"], lifetimeSeconds: 7_200)
    static let rails = DriverFramework(name: "Rails", preset: .rails, command: ["ruby", "\(directory)/rails/driver.rb"], lifetimeSeconds: 2_592_000)
    /// `default_timezone = :local` on a server in New York: the columns hold New York's wall time.
    static let railsLocal = DriverFramework(
        name: "Rails with default_timezone = :local in New York", preset: .rails, command: ["ruby", "\(directory)/rails/driver.rb"],
        options: ["RAILS_DEFAULT_TIMEZONE": "local", "APP_TIME_ZONE": zone], settings: ["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE": zone],
        lifetimeSeconds: 2_592_000)

    /// Auth.js with Prisma: nothing set but Prisma's own DATABASE_URL.
    static func authjsPrisma(_ name: String, schema: String, insert: String, seed: String) -> UpstreamFramework {
        UpstreamFramework(
            name: name, preset: .authjsPrisma, schema: schema, seed: seed, table: #""Session""#, keyColumn: #""sessionToken""#,
            insert: insert, moment: "(to_timestamp($epoch) AT TIME ZONE 'UTC')",
            // @auth/core session(): expires.valueOf() < Date.now(); Prisma writes UTC.
            expired: #""expires" < (now() AT TIME ZONE 'UTC')"#, prismaURL: true)
    }
    static let authjsPrismaAdapter = authjsPrisma(
        "Auth.js with Prisma, the adapter's schema", schema: "authjs-prisma-adapter",
        insert: #"INSERT INTO "Session" (id, "sessionToken", "userId", expires) VALUES ($key, $key, 'user-1', $moment)"#,
        seed: #"INSERT INTO "User" (id, email) VALUES ('user-1', 'one@example.com')"#)
    static let authjsPrismaGuide = authjsPrisma(
        "Auth.js with Prisma, the authjs.dev guide's schema", schema: "authjs-prisma-guide",
        insert:
            #"INSERT INTO "Session" ("sessionToken", "userId", expires, "createdAt", "updatedAt") VALUES ($key, 'user-1', $moment, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')"#,
        seed: #"INSERT INTO "User" (id, email, "updatedAt") VALUES ('user-1', 'one@example.com', now() AT TIME ZONE 'UTC')"#)
    static let authjsDrizzle = UpstreamFramework(
        name: "Auth.js with Drizzle", preset: .authjsDrizzle, schema: "authjs-drizzle", seed: #"INSERT INTO "user" (id) VALUES ('user-1')"#,
        table: #""session""#, keyColumn: #""sessionToken""#,
        insert: #"INSERT INTO "session" ("sessionToken", "userId", expires) VALUES ($key, 'user-1', $moment)"#,
        // drizzle-orm writes Date.toISOString(): UTC.
        moment: "(to_timestamp($epoch) AT TIME ZONE 'UTC')", expired: #""expires" < (now() AT TIME ZONE 'UTC')"#,
        settings: ["AUTHSWEEP_SESSION_PRESET": "authjs-drizzle"])
    static func betterAuth(_ name: String, schema: String, moment: String, now: String, settings: [String: String?]) -> UpstreamFramework {
        UpstreamFramework(
            name: name, preset: .betterAuth, schema: schema,
            seed: #"INSERT INTO "user" (id, name, email, "emailVerified") VALUES ('user-1', 'One', 'one@example.com', true)"#,
            table: #""session""#, keyColumn: #""token""#,
            insert:
                #"INSERT INTO "session" (id, "expiresAt", token, "createdAt", "updatedAt", "userId") VALUES ($key, $moment, $key, \#(now), \#(now), 'user-1')"#,
            // session.ts: expiresAt < new Date().
            moment: moment, expired: #""expiresAt" < \#(now)"#, settings: settings)
    }
    static let betterAuthCurrent = betterAuth(
        "Better Auth from 1.3.11", schema: "better-auth-current", moment: "to_timestamp($epoch)", now: "now()",
        settings: ["AUTHSWEEP_SESSION_PRESET": "better-auth"])
    /// Up to 1.3.10 the columns were `timestamp`, and node-postgres writes
    /// and reads a Date in the Node process's zone: New York here.
    static let betterAuthLocal = betterAuth(
        "Better Auth up to 1.3.10 on a server in New York", schema: "better-auth-1.3.10", moment: "(to_timestamp($epoch) AT TIME ZONE '\(zone)')",
        now: "(now() AT TIME ZONE '\(zone)')",
        settings: ["AUTHSWEEP_SESSION_PRESET": "better-auth", "AUTHSWEEP_SESSION_COLUMN_TIME_ZONE": zone])
    static let lucia = UpstreamFramework(
        name: "Lucia v3", preset: .lucia, schema: "lucia-v3", seed: "INSERT INTO auth_user VALUES ('user-1')", table: "user_session", keyColumn: "id",
        insert: "INSERT INTO user_session (id, expires_at, user_id) VALUES ($key, $moment, 'user-1')", moment: "to_timestamp($epoch)",
        // adapter-postgresql deleteExpiredSessions: expires_at <= new Date().
        expired: "expires_at <= now()", settings: ["AUTHSWEEP_SESSION_PRESET": "lucia"])

    static let all: [any SessionFramework] = [
        django, djangoLocal, laravel, rails, railsLocal, authjsPrismaAdapter, authjsPrismaGuide, authjsDrizzle, betterAuthCurrent, betterAuthLocal, lucia,
    ]
}

@Suite("each framework's own cleanup is the oracle", .serialized)
struct FrameworkOracleTests {
    @Test("authsweep deletes exactly what the framework's own cleanup deletes, and the framework still reads every session left", arguments: Frameworks.all)
    func sameDeletedSet(framework: any SessionFramework) throws {
        let outcome = try FrameworkOracle(framework: framework).compare(framework.label)
        #expect(outcome.authsweep.status == 0, "\(outcome.authsweep.stderr)")
        #expect(
            outcome.keptByAuthSweep == outcome.keptByFramework,
            "authsweep kept \(outcome.keptByAuthSweep.sorted()), the framework \(outcome.keptByFramework.sorted())")
        // The oracle itself: the boundary passed exactly for these keys.
        let all = Set(FrameworkOracle.offsets.map(FrameworkOracle.key) + [FrameworkOracle.refreshedKey])
        #expect(all.subtracting(outcome.keptByFramework) == outcome.expiredByOffset, "the framework's own cleanup is not the rule the test assumes")
        #expect(outcome.keptByFramework.contains(FrameworkOracle.refreshedKey), "a session refreshed before the cleanup is kept")
        #expect(outcome.longLived.isSubset(of: outcome.readAfterAuthSweep), "the framework reads \(outcome.readAfterAuthSweep.sorted())")
        // The stock schema passes check with the grants of its framework page (docs/frameworks/).
        try FrameworkOracle.grantPrivileges(of: framework, on: outcome.authsweepDatabase)
        var environment = FrameworkOracle.environment(of: framework)
        environment["DATABASE_URL"] = framework.databaseURL(outcome.authsweepDatabase, user: FrameworkOracle.worker)
        environment["CRON_SECRET"] = "framework-test-secret-0123456789"
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(!check.stdout.contains("session.column_time_zone"), "no zone advice where the zone is right: \(check.stdout)")
    }

    @Test(
        "a local-time column read as UTC deletes sessions the framework still serves: session.column_time_zone is needed",
        arguments: [Frameworks.railsLocal, Frameworks.betterAuthLocal] as [any SessionFramework])
    func zoneIgnored(framework: any SessionFramework) throws {
        var settings = framework.settings
        settings["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = nil
        let outcome = try FrameworkOracle(framework: framework).compare(framework.label + "_utc", settings: settings)
        let deletedLive = outcome.keptByFramework.subtracting(outcome.keptByAuthSweep)
        // New York is 5 hours behind UTC in winter, 4 in summer: read as UTC, its wall time lies that much in the past.
        #expect(deletedLive.contains(FrameworkOracle.key(3_600)), "\(deletedLive.sorted())")
        #expect(!deletedLive.contains(FrameworkOracle.key(86_400)))
    }

    @Test(
        "check sees a local-time column in the newest values, names the offset and zones to set, and says nothing once the zone is set",
        arguments: [Frameworks.railsLocal, Frameworks.betterAuthLocal] as [any SessionFramework])
    func checkSeesTheZone(framework: any SessionFramework) throws {
        let database = try TestDatabase.empty("fw_\(framework.label)_check", timeZone: FrameworkOracle.databaseTimeZone)
        try framework.createTables(in: database)
        let now = Int(Date().timeIntervalSince1970)
        // As a busy application has them: a session active (or made) a moment ago, another earlier.
        let moments = framework.lifetimeSeconds > 0 ? [now - 20, now - 4_000] : [now + 7 * 86_400 - 20, now + 6 * 86_400]
        try framework.open(database).write(moments.enumerated().map { (key: "sessioncheck\($0.offset)", moment: $0.element, created: nil) })
        var settings = framework.settings
        settings["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = nil
        var environment = FrameworkOracle.environment(of: framework, settings: settings)
        environment["DATABASE_URL"] = framework.databaseURL(database, user: nil)
        environment["CRON_SECRET"] = "framework-test-secret-0123456789"
        let hours = try database.integer("SELECT (extract(epoch FROM (now() AT TIME ZONE 'America/New_York') - (now() AT TIME ZONE 'UTC')) / 3600)::int")
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 0, "a warning: \(check.stdout)")
        #expect(check.stdout.contains("WARNING the newest"), "\(check.stdout)")
        #expect(check.stdout.contains("a zone at UTC-0\(-hours):00, and then live sessions are deleted up to \(-hours) hours early"), "\(check.stdout)")
        #expect(check.stdout.contains("fix: set session.column_time_zone to the zone the application's server runs in (at UTC-0\(-hours):00 now: America/"))
        environment["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = Frameworks.zone
        let set = try authsweep(["check"], database: nil, environment: environment)
        #expect(set.status == 0 && !set.stdout.contains("WARNING the newest"), "\(set.stdout)")
        #expect(set.stdout.contains("holding the wall time of America/New_York"), "the rule names the zone: \(set.stdout)")
        let explain = try authsweep(["cleanup-sessions", "--dry-run", "--explain"], database: nil, environment: environment)
        #expect(explain.status == 0 && explain.stdout.contains("holding the wall time of America/New_York"), "\(explain.stdout)")
    }

    @Test("session.column_time_zone on a timestamptz or an integer column is a check warning; a zone nobody knows is a usage error naming it")
    func zoneSettingMisplaced() throws {
        var environment = try FrameworkOracle.stockDatabase(of: Frameworks.betterAuthCurrent, label: "zone_misplaced")
        environment["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = "Europe/Berlin"
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 0)
        #expect(
            check.stdout.contains(
                #"WARNING session.column_time_zone is Europe/Berlin, but "session"."expiresAt" is timestamp with time zone, which fixes the moment itself"#),
            "\(check.stdout)")
        var laravel = try FrameworkOracle.stockDatabase(of: Frameworks.laravel, label: "zone_misplaced_laravel")
        laravel["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = "Europe/Berlin"
        let unixSeconds = try authsweep(["check"], database: nil, environment: laravel)
        #expect(unixSeconds.status == 0)
        #expect(
            unixSeconds.stdout.contains(#"WARNING session.column_time_zone is Europe/Berlin, but "sessions"."last_activity" is "#)
                && unixSeconds.stdout.contains("the setting is not used"), "an integer column: \(unixSeconds.stdout)")
        environment["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = "Mars/Olympus_Mons"
        let unknown = try authsweep(["cleanup-sessions"], database: nil, environment: environment)
        #expect(unknown.status == 64 && unknown.stderr.contains("names no time zone: 'Mars/Olympus_Mons'"), "\(unknown.stderr)")
    }

    @Test("session.max_age_minutes on a table with no creation column: check says so, and the cleanup fails rather than keep sessions meant to end")
    func maximumAgeWithoutCreationColumn() throws {
        var environment = try FrameworkOracle.stockDatabase(of: Frameworks.lucia, label: "max_age_lucia")
        environment["AUTHSWEEP_SESSION_MAX_AGE_MINUTES"] = "1440"
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 1)
        #expect(
            check.stdout.contains(#"PROBLEM session.max_age_minutes needs the session table's creation column, and "user_session" has no such column"#),
            "\(check.stdout)")
        let cleanup = try authsweep(["cleanup-sessions"], database: nil, environment: environment)
        #expect(cleanup.status == 1 && cleanup.stderr.contains("session.created_at"), "\(cleanup.stderr)")
    }

    @Test("session.max_age_minutes deletes what activerecord-session_store's trim on its main branch deletes by created_at")
    func maximumAge() throws {
        var rails = Frameworks.rails
        rails.options["RAILS_TRIM"] = "main"
        rails.settings["AUTHSWEEP_SESSION_MAX_AGE_MINUTES"] = "43200"
        // Every session was active a minute ago; their creations straddle the 30 days.
        let outcome = try FrameworkOracle(framework: rails).compare("rails_max_age", recentActivity: true)
        #expect(outcome.authsweep.status == 0, "\(outcome.authsweep.stderr)")
        #expect(
            outcome.keptByAuthSweep == outcome.keptByFramework, "authsweep kept \(outcome.keptByAuthSweep.sorted()), Rails \(outcome.keptByFramework.sorted())")
        #expect(!outcome.expiredByOffset.isEmpty && !outcome.keptByFramework.isEmpty)
    }
}
