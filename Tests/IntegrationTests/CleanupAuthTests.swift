import AuthSweep
import Postgres
import TestSupport
import Testing

@Suite("cleanup-auth on PostgreSQL", .serialized)
final class CleanupAuthTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("auth")
        try database.execute(
            """
            INSERT INTO login_attempts (email, created_at)
              SELECT 'old' || n, now() - interval '24 hours' - make_interval(mins => n) FROM generate_series(1, 30) n;
            INSERT INTO login_attempts (email, created_at)
              SELECT 'new' || n, now() - interval '24 hours' + make_interval(mins => n) FROM generate_series(1, 20) n;
            INSERT INTO auth_audit_log (event, created_at)
              SELECT 'old', now() - interval '25 hours' - make_interval(mins => n) FROM generate_series(1, 12) n;
            INSERT INTO auth_audit_log (event, created_at)
              SELECT 'new', now() - make_interval(mins => n) FROM generate_series(1, 8) n;
            INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at)
              SELECT 'u', 'expired' || n, now() - make_interval(mins => n), NULL FROM generate_series(1, 10) n;
            INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at)
              SELECT 'u', 'revoked' || n, now() + interval '1 hour', now() - interval '1 minute' FROM generate_series(1, 5) n;
            INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at)
              SELECT 'u', 'live' || n, now() + make_interval(mins => n), NULL FROM generate_series(1, 12) n;
            INSERT INTO "Session" VALUES ('next-auth-expired', 'tok', 'u', (now() AT TIME ZONE 'UTC') - interval '1 day');
            INSERT INTO "User" (id) VALUES ('patient-record-stand-in');
            """)
    }

    @Test("deletes login attempts and audit entries older than 24 h and expired or revoked user sessions, and nothing else")
    func deletesOnlyWhatTheRulesSay() throws {
        let test = TestJobs(database)
        let outcome = try test.cleanupAuth()
        #expect(outcome.loginAttempts == 30)
        #expect(outcome.authAuditLog == 12)
        #expect(outcome.userSessions == 15)
        #expect(!outcome.hasMore)
        #expect(try database.rowCount("login_attempts", where: "email LIKE 'new%'") == 20)
        #expect(try database.rowCount("login_attempts") == 20)
        #expect(try database.rowCount("auth_audit_log", where: "event = 'new'") == 8)
        #expect(try database.rowCount("auth_audit_log") == 8)
        #expect(try database.rowCount("user_sessions", where: "token_hash LIKE 'live%'") == 12)
        #expect(try database.rowCount("user_sessions") == 12)
        #expect(try database.rowCount("Session") == 1, "cleanup-auth leaves the NextAuth tables alone")
        #expect(try database.rowCount("User") == 1)
        #expect(try database.rowCount("AuditLog") == 0)
    }

    @Test("the retention comes from the configuration")
    func configurableRetention() throws {
        let test = TestJobs(database) { $0.authRetentionHours = 72 }
        let outcome = try test.cleanupAuth()
        #expect(outcome.loginAttempts == 0)
        #expect(outcome.authAuditLog == 0)
        #expect(outcome.userSessions == 15)
    }

    @Test("a dry run counts per table and deletes nothing")
    func dryRun() throws {
        let test = TestJobs(database)
        let outcome = try test.cleanupAuth(CleanupOptions(dryRun: true))
        #expect(outcome.dryRun)
        #expect(outcome.loginAttempts == 30 && outcome.authAuditLog == 12 && outcome.userSessions == 15)
        #expect(try database.rowCount("login_attempts") == 50)
        #expect(try database.rowCount("user_sessions") == 27)
    }

    @Test("renamed tables and columns from the configuration are used, quoted")
    func configuredNames() throws {
        try database.execute(
            """
            ALTER TABLE login_attempts RENAME TO "Login Attempts";
            ALTER TABLE "Login Attempts" RENAME COLUMN created_at TO "attemptedAt";
            """)
        let test = TestJobs(database) {
            $0.tables.loginAttempts = "Login Attempts"
            $0.tables.loginAttemptsCreatedAt = "attemptedAt"
        }
        let outcome = try test.cleanupAuth()
        #expect(outcome.loginAttempts == 30)
        #expect(try database.rowCount("Login Attempts") == 20)
    }

    @Test("a configured column that does not exist fails the run with a schema error and deletes nothing")
    func missingColumn() throws {
        let test = TestJobs(database) { $0.tables.userSessionsRevokedAt = "no_such_column" }
        let error = #expect(throws: JobError.self) {
            try test.cleanupAuth()
        }
        #expect(error?.description.contains("no_such_column") == true)
        #expect(try database.rowCount("login_attempts") == 50)
    }
}
