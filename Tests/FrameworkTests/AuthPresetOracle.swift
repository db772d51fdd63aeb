import Foundation
import Postgres
import TestSupport

/// Runs an app's own purge commands (through its driver's `cleanup`) on
/// one copy of a database its migrations made and its code filled, and
/// `cleanup-auth` with the matching auth presets on another, in the same
/// wall-clock second, and reports what each left.
///
/// The driver writes each token at whole-second offsets from `t0` on both
/// sides of its rule's boundary (at least 1 to 3 seconds each way), so two
/// cleanups that run within one second, from `t0` to `t0 + 2`, must leave
/// the same rows whichever comparison or clock resolution each uses.
struct AuthPresetOracle {
    let driver: DriverFramework
    /// `AUTHSWEEP_AUTH_PRESETS`.
    let presets: String
    /// Every table of the app, cleaned or not.
    let tables: [String]
    /// More of authsweep's environment (a column time zone, say).
    var environment: [String: String?] = [:]

    struct Outcome {
        /// Each table's rows as text, before the cleanups and after each.
        let before: [String: [String]]
        let keptByFramework: [String: [String]]
        let keptByAuthSweep: [String: [String]]
        /// The tokens the app accepts after each cleanup.
        let acceptedAfterFramework: [String]
        let acceptedAfterAuthSweep: [String]
        let authsweep: (status: Int32, stdout: String, stderr: String)
        /// The `deleted.presets` of authsweep's answer.
        let deletedByPreset: [String: [String: Int]]
    }

    func compare(_ label: String) throws -> Outcome {
        var lead = 8
        for attempt in 1...4 {
            let t0 = Int(Date().timeIntervalSince1970) + lead
            let zone = FrameworkOracle.databaseTimeZone
            let pristine = try TestDatabase.empty(label, timeZone: zone)
            let writer = try DriverFramework.Driver(driver, pristine)
            try writer.call("migrate")
            try writer.call("write \(t0)")
            let before = try rows(of: pristine)
            let frameworkCopy = try TestDatabase.empty("\(label)_framework", copying: pristine, timeZone: zone)
            let authsweepCopy = try TestDatabase.empty("\(label)_authsweep", copying: pristine, timeZone: zone)
            let onFramework = try DriverFramework.Driver(driver, frameworkCopy)
            let onAuthSweepCopy = try DriverFramework.Driver(driver, authsweepCopy)
            var environment = self.environment
            environment["AUTHSWEEP_AUTH_PRESETS"] = presets
            FrameworkOracle.waitForSecond(t0)
            let started = Date().timeIntervalSince1970
            let frameworkDone = try onFramework.startCleanup()
            let run = try authsweep(["cleanup-auth", "--json"], database: authsweepCopy, environment: environment)
            try frameworkDone()
            let ended = Date().timeIntervalSince1970
            let second = Int(floor(started))
            guard floor(started) == floor(ended), second - t0 <= 2 else {
                if attempt == 4 { throw TestSetupError("the two cleanups took \(ended - started) s, \(second - t0) s after t0, 4 times") }
                lead += max(0, second - t0)
                continue
            }
            let answer = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            let deleted = (answer?["deleted"] as? [String: Any])?["presets"] as? [String: [String: Int]] ?? [:]
            return Outcome(
                before: before, keptByFramework: try rows(of: frameworkCopy), keptByAuthSweep: try rows(of: authsweepCopy),
                acceptedAfterFramework: try onFramework.call("accepted").split(separator: " ").map(String.init),
                acceptedAfterAuthSweep: try onAuthSweepCopy.call("accepted").split(separator: " ").map(String.init),
                authsweep: run, deletedByPreset: deleted)
        }
        throw TestSetupError("unreachable")
    }

    /// Each table's rows, as text, in one order.
    func rows(of database: TestDatabase) throws -> [String: [String]] {
        try Self.rows(of: database, tables: tables)
    }

    static func rows(of database: TestDatabase, tables: [String]) throws -> [String: [String]] {
        let connection = try database.connect()
        var rows: [String: [String]] = [:]
        for table in tables {
            rows[table] = try connection.query("SELECT t::text FROM \(unsafeSQL: table) t ORDER BY 1").rows.compactMap { $0.first ?? nil }
        }
        return rows
    }

    /// Token names (`access_p3600`) whose offset from the cleanups' second
    /// is a minute or more (or that have none): the second between the
    /// two reads of what the app accepts changes none of them.
    static func farFromNow(_ names: [String]) -> Set<String> {
        Set(
            names.filter { name in
                guard let offset = name.split(separator: "_").last.flatMap({ Int($0.dropFirst()) }) else { return true }
                return offset >= 60
            })
    }
}
