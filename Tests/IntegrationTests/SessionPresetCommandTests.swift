import AuthSweep
import Foundation
import Postgres
import TestSupport
import Testing

/// The presets beyond the cleanup itself: a wrong name, the administration
/// commands on each framework's table, the grace retentions and the
/// predicate audit of `--dry-run --explain`.
@Suite("session presets: names, administration, retention, --explain", .serialized)
final class SessionPresetCommandTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("presets")
    }

    func environment(_ preset: SessionPreset, _ more: [String: String?] = [:]) -> [String: String?] {
        var environment: [String: String?] = ["AUTHSWEEP_SESSION_PRESET": preset.rawValue, "PGOPTIONS": "-c TimeZone=Etc/GMT+12"]
        for (key, value) in more { environment[key] = value }
        return environment
    }

    @Test("an unknown preset is a usage error (exit 64) that names it and lists the presets, from the environment or the file")
    func unknownPreset() throws {
        let result = try authsweep(["stats"], database: database, environment: ["AUTHSWEEP_SESSION_PRESET": "nextauth"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("AUTHSWEEP_SESSION_PRESET: 'session.preset' names no preset: 'nextauth'"), "\(result.stderr)")
        #expect(result.stderr.contains("authjs-prisma, authjs-drizzle, better-auth, lucia, django, laravel, rails"), "\(result.stderr)")
        let file = NSTemporaryDirectory() + "authsweep-preset-\(getpid()).conf"
        try "[session]\npreset = symfony\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let fromFile = try authsweep(["stats", "--config", file], database: database)
        #expect(fromFile.status == 64)
        #expect(fromFile.stderr.contains("line 2: 'session.preset' names no preset: 'symfony'"), "\(fromFile.stderr)")
        // A name set after the preset overrides the preset's own.
        let config = try authsweep(
            ["config"], database: database, environment: ["AUTHSWEEP_SESSION_PRESET": "django", "AUTHSWEEP_SESSION_TABLE": "my_sessions"])
        #expect(config.stdout.contains("session.preset = django") && config.stdout.contains("session.table = my_sessions"), "\(config.stdout)")
        #expect(config.stdout.contains("session.expires = expire_date"), "\(config.stdout)")
    }

    @Test("sessions list, revoke and invalidate on each framework's table; a table with no user column says so (exit 64)", arguments: PresetSchema.all)
    func administration(schema: PresetSchema) throws {
        try database.resetWithoutPresets()
        try database.execute(schema.ddl)
        try database.execute(#"INSERT INTO "User" (id, name, email) VALUES ('user-1', 'One', 'one@example.com')"#)
        try database.execute(schema.insert("old-", 2, schema.expired) + schema.insert("live-", 3, schema.active))
        let environment = environment(schema.preset)
        let userID = schema.preset == .laravel ? "1" : "user-1"
        let table = schema.preset.tableNames.session
        let list = try authsweep(["sessions", "list", userID, "--json"], database: database, environment: environment)
        if schema.hasUserColumn {
            #expect(list.status == 0, "\(list.stderr)")
            let sessions = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: String]], "\(list.stdout)")
            #expect(sessions.count == 3, "only the active ones: \(list.stdout)")
            #expect(sessions.allSatisfy { isISOTimestamp($0["expires"] ?? "") }, "\(list.stdout)")
            // Where the id is the token itself, only its first 8 characters are shown.
            let idIsToken = [.authjsDrizzle, .lucia, .laravel].contains(schema.preset)
            #expect(sessions.allSatisfy { ($0["id"] ?? "").hasSuffix("…") == idIsToken }, "\(list.stdout)")
            let invalidate = try authsweep(["sessions", "invalidate", userID, "--except", "live-1"], database: database, environment: environment)
            #expect(invalidate.status == 0, "\(invalidate.stderr)")
            #expect(try database.rowCount(table) == 1, "all but live-1")
            #expect(try database.rowCount(table, where: "\(schema.keyColumn) = 'live-1'") == 1)
        } else {
            #expect(list.status == 64)
            #expect(list.stderr.contains("sessions list needs the session table's user column"), "\(list.stderr)")
            #expect(list.stderr.contains("sessions revoke works by token"), "\(list.stderr)")
        }
        let revoke = try authsweep(["sessions", "revoke", "live-1"], database: database, environment: environment)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(try database.rowCount(table, where: "\(schema.keyColumn) = 'live-1'") == 0)
        let again = try authsweep(["sessions", "revoke", "live-1"], database: database, environment: environment)
        #expect(again.status == 1 && again.stderr.contains("no session has that token"))
    }

    @Test("the Auth.js Prisma adapter's current schema, whose \"Session\" has no id column: sessions are named by their token")
    func prismaWithoutID() throws {
        try database.resetWithoutPresets()
        try database.execute(
            #"""
            ALTER TABLE "Session" DROP COLUMN id;
            INSERT INTO "User" (id, name, email) VALUES ('user-1', 'One', 'one@example.com');
            INSERT INTO "Session" ("sessionToken", "userId", expires) VALUES
              ('token-live', 'user-1', (now() AT TIME ZONE 'UTC') + interval '1 hour'),
              ('token-old', 'user-1', (now() AT TIME ZONE 'UTC') - interval '1 hour');
            """#)
        let list = try authsweep(["sessions", "list", "user-1", "--json"], database: database)
        #expect(list.status == 0, "\(list.stderr)")
        // Named by the token's first 8 characters: the whole token is a credential.
        #expect(list.stdout.hasPrefix(#"[{"id":"token-li…","expires":""#), "\(list.stdout)")
        #expect(!list.stdout.contains("token-live"))
        let revoke = try authsweep(["sessions", "revoke", "token-live"], database: database)
        #expect(revoke.status == 0, "\(revoke.stderr)")
        #expect(revoke.stdout == "Revoked session token-li… of user user-1.\n", "\(revoke.stdout)")
        let audit = try database.connect().query(#"SELECT details::text FROM "AuditLog" WHERE action = 'SESSION_REVOKE'"#)
        #expect(audit.value() == #"{"sessionId": "token-li…"}"#, "\(audit.value() ?? "")")
        let check = try authsweep(["check"], database: database, environment: ["CRON_SECRET": "check-secret-0123456789abcdef"])
        #expect(!check.stdout.contains(#"column "id" of table "Session""#), "\(check.stdout)")
        #expect(check.stdout.contains("match the presets: authjs-prisma (Session)"), "\(check.stdout)")
        #expect(try authsweep(["cleanup-sessions", "--json"], database: database).stdout.contains(#""deletedCount":1"#))
    }

    @Test(
        "a role granted only the sessions (a deployment older than the verification tokens) still cleans them; the tokens are skipped with a warning, and check warns instead of failing"
    )
    func verificationTokensWithoutGrant() throws {
        try database.resetWithoutPresets()
        let schema = PresetSchema.schema(.authjsPrisma)
        try database.execute(schema.ddl)
        let role = database.name + "_sessions_only"
        try database.createWorkerRole(role)
        try database.execute(schema.insert("old-", 2, schema.expired) + (schema.verification?.insert("t-", 3, schema.expired) ?? ""))
        let asWorker: [String: String?] = [
            "DATABASE_URL": database.connectionString + " user=\(role)", "CRON_SECRET": "check-secret-0123456789abcdef",
        ]
        let run = try authsweep(["cleanup-sessions", "--json", "--log-level", "warning"], database: database, environment: asWorker)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains(#""deletedCount":2"#) && !run.stdout.contains("VerificationTokens"), "\(run.stdout)")
        #expect(run.stderr.contains("expired verification tokens are not cleaned"), "\(run.stderr)")
        #expect(try database.rowCount("VerificationToken") == 3)
        let check = try authsweep(["check"], database: database, environment: asWorker)
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains(#"WARNING the database role "\#(role)" cannot SELECT or DELETE on "VerificationToken""#), "\(check.stdout)")
        #expect(check.stdout.contains(#"fix: GRANT SELECT, DELETE ON "VerificationToken" TO "\#(role)";"#))
        // Granted, they go too.
        try database.execute(#"GRANT SELECT, DELETE ON "VerificationToken" TO \#(role)"#)
        let granted = try authsweep(["cleanup-sessions", "--json"], database: database, environment: asWorker)
        #expect(granted.stdout.contains(#""deletedVerificationTokens":3"#), "\(granted.stdout)")
    }

    @Test("a name set in the file wins over a preset from the environment; a lifetime with an expiry preset is a warning")
    func explicitNamesWin() throws {
        let file = NSTemporaryDirectory() + "authsweep-names-\(getpid()).conf"
        try "[session]\ntable = auth_sessions\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let config = try authsweep(["config", "--config", file], database: database, environment: ["AUTHSWEEP_SESSION_PRESET": "lucia"])
        #expect(config.stdout.contains("session.table = auth_sessions"), "\(config.stdout)")
        #expect(config.stdout.contains("session.expires = expires_at"), "the preset's other names apply: \(config.stdout)")
        try database.resetWithoutPresets()
        let check = try authsweep(
            ["check"], database: database, environment: ["AUTHSWEEP_SESSION_LIFETIME_MINUTES": "60", "CRON_SECRET": "check-secret-0123456789abcdef"])
        #expect(check.stdout.contains("WARNING session.lifetime_minutes is set, but authjs-prisma's table stores each session's expiry"), "\(check.stdout)")
    }

    @Test("without a revoked retention, any revoked_at that is set counts, whatever its type (as before)")
    func revokedColumnOfAnyType() throws {
        try database.resetWithoutPresets()
        try database.execute(
            """
            ALTER TABLE user_sessions ALTER COLUMN revoked_at TYPE boolean USING revoked_at IS NOT NULL;
            INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at) VALUES
              ('u', 'revoked', now() + interval '1 day', true), ('u', 'live', now() + interval '1 day', NULL);
            """)
        let run = try authsweep(["cleanup-auth", "--json"], database: database)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#""userSessions":1"#), "\(run.stdout)")
        let retained = try authsweep(["cleanup-auth"], database: database, environment: ["AUTHSWEEP_SESSION_REVOKED_RETENTION_HOURS": "1"])
        #expect(
            retained.status == 1 && retained.stderr.contains(#"column "revoked_at" of table "user_sessions" is boolean, not a timestamp"#), "\(retained.stderr)"
        )
    }

    @Test("session.expired_retention_hours keeps expired sessions that long; stats still count them as expired")
    func expiredRetention() throws {
        let schema = PresetSchema.schema(.django)
        try database.resetWithoutPresets()
        try database.execute(schema.ddl)
        try database.execute(
            schema.insert("recent-", 2, "now() - interval '2 hours'") + schema.insert("old-", 3, "now() - interval '5 hours'")
                + schema.insert("live-", 4, schema.active))
        let environment = environment(.django, ["AUTHSWEEP_SESSION_EXPIRED_RETENTION_HOURS": "3"])
        let stats = try authsweep(["stats", "--json"], database: database, environment: environment)
        #expect(stats.stdout.contains(#""total":9,"active":4,"expired":5"#), "\(stats.stdout)")
        let run = try authsweep(["cleanup-sessions", "--json"], database: database, environment: environment)
        #expect(run.stdout.contains(#""deletedCount":3"#), "\(run.stdout)")
        #expect(try database.rowCount("django_session", where: "session_key LIKE 'recent-%'") == 2)
        // Without the retention they go too.
        let plain = try authsweep(["cleanup-sessions", "--json"], database: database, environment: self.environment(.django))
        #expect(plain.stdout.contains(#""deletedCount":2"#), "\(plain.stdout)")
    }

    @Test("session.revoked_retention_hours keeps revoked user_sessions rows that long (refresh-token reuse detection); 0 deletes them at once")
    func revokedRetention() throws {
        try database.resetWithoutPresets()
        try database.execute(
            """
            INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at) VALUES
              ('u', 'revoked-recently', now() + interval '1 day', now() - interval '1 hour'),
              ('u', 'revoked-long-ago', now() + interval '1 day', now() - interval '3 hours'),
              ('u', 'expired-recently', now() - interval '1 hour', NULL),
              ('u', 'live', now() + interval '1 day', NULL);
            """)
        let kept = try authsweep(
            ["cleanup-auth", "--json"], database: database,
            environment: ["AUTHSWEEP_SESSION_REVOKED_RETENTION_HOURS": "2", "AUTHSWEEP_SESSION_EXPIRED_RETENTION_HOURS": "2"])
        #expect(kept.stdout.contains(#""userSessions":1"#), "\(kept.stdout)")
        #expect(try database.rowCount("user_sessions", where: "token_hash = 'revoked-long-ago'") == 0)
        #expect(try database.rowCount("user_sessions") == 3)
        let plain = try authsweep(["cleanup-auth", "--json"], database: database)
        #expect(plain.stdout.contains(#""userSessions":2"#), "\(plain.stdout)")
        #expect(try database.rowCount("user_sessions") == 1)
    }

    @Test("--dry-run --explain audits each rule: matches, the oldest expired age, NULL rows, rows far in the future; as text and as JSON")
    func explain() throws {
        let schema = PresetSchema.schema(.laravel)
        try database.resetWithoutPresets()
        try database.execute(schema.ddl)
        try database.execute(
            """
            ALTER TABLE sessions ALTER COLUMN last_activity DROP NOT NULL;
            \(schema.insert("expired-", 4, "(floor(extract(epoch FROM now()))::integer - 3 * 3600 - 60)"))
            \(schema.insert("live-", 5, schema.active))
            \(schema.insert("null-", 2, "NULL"))
            \(schema.insert("ahead-", 1, "(extract(epoch FROM now())::integer + 10 * 86400)"))
            """)
        let environment = environment(.laravel)
        let json = try authsweep(["cleanup-sessions", "--dry-run", "--explain", "--json"], database: database, environment: environment)
        #expect(json.status == 0, "\(json.stderr)")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(body["preset"] as? String == "laravel")
        let rules = try #require(body["rules"] as? [[String: Any]])
        #expect(rules.count == 1)
        let rule = try #require(rules.first)
        #expect(rule["rule"] as? String == "sessions.last_activity (last activity, Unix seconds) <= now - 2 hours")
        #expect(rule["matchingRows"] as? Int == 4)
        #expect(rule["nullRows"] as? Int == 2)
        let age = try #require(rule["oldestExpiredAgeSeconds"] as? Int)
        #expect((3660...3760).contains(age), "expired an hour and a minute ago (3 h 1 min of inactivity, 2 h lifetime): \(age)")
        #expect(try database.rowCount("sessions") == 12, "nothing deleted")
        #expect(rule["farFutureRows"] as? Int == 1, "activity ten days ahead: a clock or unit mistake")

        let text = try authsweep(["cleanup-sessions", "--dry-run", "--explain"], database: database, environment: environment)
        #expect(text.stdout.contains("sessions: deleted when sessions.last_activity (last activity, Unix seconds) <= now - 2 hours"), "\(text.stdout)")
        #expect(text.stdout.contains("rows the cleanup would delete now: 4"))
        #expect(text.stdout.contains("the longest expired: for 1 hour 1 minute"), "\(text.stdout)")
        #expect(text.stdout.contains("rows the rule can never match (NULL): 2"))

        let withoutDryRun = try authsweep(["cleanup-sessions", "--explain"], database: database, environment: environment)
        #expect(withoutDryRun.status == 64)
        #expect(withoutDryRun.stderr.contains("--explain audits the rules without deleting anything: give --dry-run with it"), "\(withoutDryRun.stderr)")
    }

    @Test("--explain on Auth.js with Prisma covers the verification tokens too, and flags an expiry a century ahead")
    func explainVerificationTokens() throws {
        let schema = PresetSchema.schema(.authjsPrisma)
        try database.resetWithoutPresets()
        try database.execute(schema.ddl)
        try database.execute(
            schema.insert("old-", 2, schema.expired) + schema.insert("far-", 1, "(now() AT TIME ZONE 'UTC') + interval '100 years'")
                + (schema.verification?.insert("t-", 3, schema.expired) ?? ""))
        let json = try authsweep(
            ["cleanup-sessions", "--dry-run", "--explain", "--json"], database: database, environment: environment(.authjsPrisma))
        let body = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let rules = try #require(body["rules"] as? [[String: Any]])
        #expect(rules.map { $0["name"] as? String } == ["sessions", "verification_tokens"])
        #expect(rules[0]["matchingRows"] as? Int == 2 && rules[0]["farFutureRows"] as? Int == 1)
        #expect(rules[0]["rule"] as? String == "Session.expires (timestamp without time zone, holding UTC) <= now")
        #expect(rules[1]["matchingRows"] as? Int == 3 && rules[1]["table"] as? String == "VerificationToken")
    }
}

extension TestDatabase {
    /// The contract's schema alone again: the frameworks' tables of the
    /// last test dropped with everything else.
    fileprivate func resetWithoutPresets() throws {
        // As PostgreSQL makes it: every role may use the schema (not create in it).
        try execute("SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC;")
        try resetSchema()
    }
}
