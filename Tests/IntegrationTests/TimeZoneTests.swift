import Postgres
import TestSupport
import Testing

@testable import AuthSweep

@Suite("results are right whatever the database's TimeZone", .serialized)
final class TimeZoneTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("timezone")
    }

    /// Sessions two hours either side of now (zone-less UTC) and login
    /// attempts either side of the 24 h line: a comparison done in the
    /// session's zone instead of UTC misplaces them by up to 14 hours.
    func insertRowsAroundNow() throws {
        try database.insertSessions(6, prefix: "expired-", expiringIn: -2 * 3600)
        try database.insertSessions(9, prefix: "active-", expiringIn: 2 * 3600)
        try database.execute(
            """
            INSERT INTO login_attempts (email, created_at) VALUES
              ('old', now() - interval '26 hours'), ('recent', now() - interval '22 hours');
            """)
    }

    @Test("stats and both cleanups are exact with TimeZone set far from UTC", arguments: ["Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns"])
    func farFromUTC(zone: String) throws {
        try database.execute("ALTER DATABASE \(database.name) SET timezone = '\(zone)'")
        try insertRowsAroundNow()
        let test = TestJobs(database)
        let session = test.session()
        let zoneSeen = try database.connect().query("SHOW timezone").value()
        #expect(zoneSeen == zone, "the test really runs in the far zone")

        // Both count queries, as the workers' stats alternate them.
        for query in SessionCountQuery.allCases {
            let stats = try test.jobs.sessionStats(on: session, query: query)
            #expect(stats.active == 9 && stats.expired == 6, "\(query)")
        }
        let sessions = try test.jobs.cleanupSessions(on: session, options: CleanupOptions())
        #expect(sessions.deletedCount == 6)
        #expect(try database.rowCount("Session", where: "id LIKE 'active-%'") == 9)
        let auth = try test.jobs.cleanupAuth(on: session, options: CleanupOptions())
        #expect(auth.loginAttempts == 1)
        #expect(try database.rowCount("login_attempts", where: "email = 'recent'") == 1)
    }

    @Test("a timestamptz session table is compared with now() directly")
    func zonedColumn() throws {
        try database.execute(
            """
            ALTER DATABASE \(database.name) SET timezone = 'Asia/Kathmandu';
            ALTER TABLE "Session" ALTER COLUMN expires TYPE timestamptz USING expires AT TIME ZONE 'UTC';
            """)
        try database.execute(
            """
            INSERT INTO "Session" SELECT 'expired-' || n, 'e' || n, 'u', now() - interval '2 hours' FROM generate_series(1, 6) n;
            INSERT INTO "Session" SELECT 'active-' || n, 'a' || n, 'u', now() + interval '2 hours' FROM generate_series(1, 9) n;
            """)
        let test = TestJobs(database)
        let jobs = test.jobs
        for _ in SessionCountQuery.allCases {
            let stats = try jobs.sessionStats(on: test.session())
            #expect(stats.active == 9 && stats.expired == 6)
        }
        let outcome = try test.cleanupSessions()
        #expect(outcome.deletedCount == 6)
    }
}
