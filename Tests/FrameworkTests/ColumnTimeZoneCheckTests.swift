import AuthSweep
import Foundation
import TestSupport
import Testing

/// What `check` says of a zone-less rule column's newest values, beyond
/// the New York cases of the oracle tests: a zone ahead of UTC, and the
/// quiet tables and short lifetimes that must not look like a zone.
@Suite("check's reading of the zone a rule column was written in")
struct ColumnTimeZoneCheckTests {
    /// `check`'s output on `framework`'s tables holding a session at each
    /// of `moments`, with no session.column_time_zone set.
    func check(_ framework: any SessionFramework, label: String, moments: [Int], settings: [String: String?] = [:]) throws -> String {
        let database = try TestDatabase.empty("fw_zone_\(label)", timeZone: FrameworkOracle.databaseTimeZone)
        try framework.createTables(in: database)
        try framework.open(database).write(moments.enumerated().map { (key: "sessionzone\($0.offset)", moment: $0.element, created: nil) })
        var environment = FrameworkOracle.environment(of: framework, settings: framework.settings.merging(settings) { $1 })
        environment["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = nil
        environment["DATABASE_URL"] = framework.databaseURL(database, user: nil)
        environment["CRON_SECRET"] = "framework-test-secret-0123456789"
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(check.status == 0, "warnings only: \(check.stdout)")
        return check.stdout
    }

    @Test("Rails writing Tokyo's wall time: the newest last activity lies 9 hours in the future, which is certain")
    func zoneAhead() throws {
        var rails = Frameworks.railsLocal
        rails.options["APP_TIME_ZONE"] = "Asia/Tokyo"
        let now = Int(Date().timeIntervalSince1970)
        let output = try check(rails, label: "tokyo", moments: [now - 20, now - 4_000])
        #expect(
            output.contains(
                #"WARNING the newest "sessions"."updated_at" lies 9 hours in the future, read as UTC: the application writes the wall time of a zone at UTC+09:00"#
            ),
            "\(output)")
        #expect(output.contains("sessions are deleted 9 hours late"), "\(output)")
    }

    @Test("a quiet application in UTC whose newest activity lies at an offset no zone has gets no zone advice")
    func quietTable() throws {
        let now = Int(Date().timeIntervalSince1970)
        // 3 h 15 min ago: a quarter hour, but no zone is at UTC-03:15.
        let output = try check(Frameworks.rails, label: "quiet", moments: [now - 11_700 + 30, now - 90_000])
        #expect(!output.contains("session.column_time_zone"), "\(output)")
    }

    @Test("a lifetime under a day (Auth.js with Drizzle, sessions made for 2 hours) is not read as a zone")
    func shortLifetime() throws {
        let now = Int(Date().timeIntervalSince1970)
        let output = try check(Frameworks.authjsDrizzle, label: "short", moments: [now + 7_200 - 10, now + 3_000])
        #expect(!output.contains("session.column_time_zone"), "\(output)")
    }
}
