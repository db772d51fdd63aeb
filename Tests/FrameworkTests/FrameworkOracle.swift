import AuthSweep
import Foundation
import Postgres
import TestSupport

/// Runs a framework's own cleanup and authsweep's on identical copies of
/// one database the framework filled, within the same wall-clock second,
/// and reports what each kept.
///
/// Every session's rule moment is a whole Unix second, at offsets from a
/// moment `t0` on both sides of the boundary, so two cleanups that run
/// within one second (from its 5th hundredth on) must keep the same set,
/// whichever comparison (`<` or `<=`) or clock resolution each uses. They
/// run in second `t0`, or a few after it, but always where a rule one
/// second off, either way, deletes or keeps one more session; an attempt
/// that misses (a slow machine) runs again on fresh copies.
struct FrameworkOracle {
    let framework: any SessionFramework
    /// The databases' `TimeZone`: far from UTC, so a bare `now()` against a
    /// zone-less column would be 14 hours off.
    static let databaseTimeZone = "Pacific/Kiritimati"

    /// Offsets in seconds from `t0`: both sides of the boundary by seconds,
    /// then hours, days, and ten years ahead.
    static let offsets = [
        -2_592_000, -86_400, -3_600, -60, -10, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 10, 60, 3_600, 18_000, 86_400, 315_360_000,
    ]

    /// A key for `offset`: Django wants at least 8 characters, Laravel and
    /// Rails take anything; letters and digits suit every driver.
    static func key(_ offset: Int) -> String {
        "session" + (offset < 0 ? "m" : "p") + String(abs(offset))
    }

    /// A session refreshed through the framework just before both cleanups.
    static let refreshedKey = "sessionrefreshed"

    struct Outcome {
        /// The keys left by the framework's own cleanup, and by authsweep's.
        let keptByFramework: Set<String>
        let keptByAuthSweep: Set<String>
        /// The keys the framework reads as live sessions after authsweep's cleanup.
        let readAfterAuthSweep: Set<String>
        /// The keys whose boundary had passed in the second both ran in.
        let expiredByOffset: Set<String>
        /// Long-lived keys, which the framework must still read.
        let longLived: Set<String>
        let authsweep: (status: Int32, stdout: String, stderr: String)
        /// The copy authsweep cleaned, for more checks.
        let authsweepDatabase: TestDatabase
    }

    /// Fills a database through the framework and compares the two cleanups.
    /// `settings` replaces the framework's own authsweep settings. With
    /// `recentActivity`, every session was active a minute before `t0` and
    /// the offsets place their creations instead, a lifetime back (for an
    /// absolute lifetime equal to it).
    func compare(_ label: String, settings: [String: String?]? = nil, recentActivity: Bool = false) throws -> Outcome {
        let label = String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        let environment = Self.environment(of: framework, settings: settings)
        // How far ahead of the writes the cleanups' second lies: the copies
        // and the drivers' start take it; an attempt that overran it runs
        // again with the overrun added.
        var lead = 4
        for attempt in 1...4 {
            let t0 = Int(Date().timeIntervalSince1970) + lead
            let sessions = try writeSessions(label, t0: t0, recentActivity: recentActivity)
            let pristine = sessions.database
            let frameworkCopy = try TestDatabase.empty("fw_\(label)_framework", copying: pristine, timeZone: Self.databaseTimeZone)
            let authsweepCopy = try TestDatabase.empty("fw_\(label)_authsweep", copying: pristine, timeZone: Self.databaseTimeZone)
            let onFramework = try framework.open(frameworkCopy)
            let onAuthSweepCopy = try framework.open(authsweepCopy)
            let refreshedUntil = Int(Date().timeIntervalSince1970) + 3_600 - framework.lifetimeSeconds
            try onFramework.refresh(key: Self.refreshedKey, moment: refreshedUntil)
            try onAuthSweepCopy.refresh(key: Self.refreshedKey, moment: refreshedUntil)
            Self.waitForSecond(t0)
            let started = Date().timeIntervalSince1970
            let frameworkDone = try onFramework.startCleanup()
            var merged = environment
            merged["DATABASE_URL"] = framework.databaseURL(authsweepCopy, user: nil)
            let run = try authsweep(["cleanup-sessions"], database: nil, environment: merged)
            try frameworkDone()
            let ended = Date().timeIntervalSince1970
            let second = Int(floor(started))
            guard floor(started) == floor(ended), Self.oneSecondDecides(t0: t0, second: second) else {
                if attempt == 4 {
                    throw TestSetupError("the two cleanups took \(ended - started) s, \(second - t0) s after t0: no comparison to the second in 4 attempts")
                }
                lead += max(0, second - t0)
                continue
            }
            let keys = sessions.keys
            let kept = try Self.keys(in: frameworkCopy, of: framework), keptByAuthSweep = try Self.keys(in: authsweepCopy, of: framework)
            let longLived = Set(Self.offsets.filter { $0 >= 3_600 }.map(Self.key) + [Self.refreshedKey])
            return Outcome(
                keptByFramework: kept, keptByAuthSweep: keptByAuthSweep,
                readAfterAuthSweep: try onAuthSweepCopy.live(keys.filter { keptByAuthSweep.contains($0) }),
                expiredByOffset: Self.expired(t0: t0, second: second),
                longLived: longLived, authsweep: run, authsweepDatabase: authsweepCopy)
        }
        throw TestSetupError("unreachable")
    }

    /// A database the framework filled with a session at each offset from `t0`.
    private func writeSessions(_ label: String, t0: Int, recentActivity: Bool) throws -> (database: TestDatabase, keys: [String]) {
        let pristine = try TestDatabase.empty("fw_\(label)", timeZone: Self.databaseTimeZone)
        try framework.createTables(in: pristine)
        let lifetime = framework.lifetimeSeconds
        var sessions = Self.offsets.map { offset in
            recentActivity
                ? (key: Self.key(offset), moment: t0 - 60, created: Optional(t0 + offset - lifetime))
                : (key: Self.key(offset), moment: t0 + offset - lifetime, created: nil)
        }
        // Live now (Django refreshes no expired session), refreshed for an hour just before the cleanups.
        sessions.append((Self.refreshedKey, t0 + 120 - lifetime, recentActivity ? t0 - 30 : nil))
        try framework.open(pristine).write(sessions)
        return (pristine, sessions.map(\.key))
    }

    /// The keys whose boundary had passed in `second`.
    static func expired(t0: Int, second: Int) -> Set<String> {
        Set(offsets.filter { t0 + $0 <= second }.map(key))
    }

    /// Whether a rule one second earlier, and one a second later, would
    /// each delete another set in `second`: the comparison then catches a
    /// rule off by one second either way.
    static func oneSecondDecides(t0: Int, second: Int) -> Bool {
        let set = expired(t0: t0, second: second)
        return expired(t0: t0, second: second - 1) != set && expired(t0: t0, second: second + 1) != set
    }

    /// authsweep's environment for `framework` (its own settings, or
    /// `settings`), but for `DATABASE_URL`.
    static func environment(of framework: any SessionFramework, settings: [String: String?]? = nil) -> [String: String?] {
        var environment = settings ?? framework.settings
        // Auth.js with Prisma is the default: nothing set at all.
        if framework.preset != .authjsPrisma && environment["AUTHSWEEP_SESSION_PRESET"] == nil {
            environment["AUTHSWEEP_SESSION_PRESET"] = framework.preset.rawValue
        }
        return environment
    }

    /// A database with the framework's tables and no rows, and authsweep's
    /// environment for it (its settings, the secret, `DATABASE_URL`).
    static func stockDatabase(of framework: any SessionFramework, label: String) throws -> [String: String?] {
        let database = try TestDatabase.empty("fw_\(label)")
        try framework.createTables(in: database)
        var environment = Self.environment(of: framework)
        environment["DATABASE_URL"] = framework.databaseURL(database, user: nil)
        environment["CRON_SECRET"] = "framework-test-secret-0123456789"
        return environment
    }

    /// The role the framework pages' grants are given to.
    static let worker = "authsweep_fw_worker"

    /// The framework pages' grants: SELECT and DELETE on the framework's session
    /// (and verification token) table, and the lease table's.
    static func grantPrivileges(of framework: any SessionFramework, on database: TestDatabase) throws {
        let tables = framework.grantedTables.map { "\"\($0)\"" }.joined(separator: ", ")
        try database.execute(
            """
            DO $$ BEGIN CREATE ROLE \(worker) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, DELETE ON \(tables) TO \(worker);
            GRANT SELECT, INSERT, UPDATE ON authsweep_jobs TO \(worker);
            """)
    }

    /// Sleeps until 50 ms past the start of `second`, or of the next
    /// second when that has begun.
    static func waitForSecond(_ second: Int) {
        let now = Date().timeIntervalSince1970
        let wait = max(Double(second), floor(now) + 1) + 0.05 - now
        usleep(useconds_t(wait * 1_000_000))
    }

    /// The keys left in the framework's session table.
    static func keys(in database: TestDatabase, of framework: any SessionFramework) throws -> Set<String> {
        let names = framework.preset.tableNames
        let connection = try database.connect()
        let key = try connection.identifier(names.sessionToken)
        let table = try connection.identifier(names.session)
        return Set(try connection.query("SELECT \(key)::text FROM \(table)").rows.compactMap { $0.first ?? nil })
    }
}
