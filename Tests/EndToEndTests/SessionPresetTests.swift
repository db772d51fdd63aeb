import AuthSweep
import Foundation
import Postgres
public import TestSupport
public import Testing

/// Every preset on its framework's own tables, through the pool and nginx
/// and through the CLI, with the workers' and the CLI's TimeZone far from
/// UTC (UTC+14): exact stats and deletions, the verification tokens, a
/// session refreshed while the cleanup waits for it, and what `check` says.
@Suite("session.preset on each framework's schema", .serialized)
struct SessionPresetTests {
    static let zone = "Pacific/Kiritimati"

    /// The workers' environment and the CLI's: the preset, and a session
    /// TimeZone 14 hours from UTC.
    static func environment(_ preset: SessionPreset) -> [String: String?] {
        ["AUTHSWEEP_SESSION_PRESET": preset.rawValue, "PGOPTIONS": "-c TimeZone=\(zone)"]
    }

    @Test("stats, POST cleanup, the verification tokens and a session refreshed during the run, via HTTP and the CLI", arguments: PresetSchema.all)
    func preset(schema: PresetSchema) throws {
        let preset = schema.preset
        let stack = try Stack("preset_\(preset.rawValue.replacingOccurrences(of: "-", with: "_"))", workerEnvironment: Self.environment(preset))
        let database = stack.database
        let table = preset.tableNames.session
        try database.execute(schema.ddl)
        try database.execute(
            schema.insert("expired-", 6, schema.expired) + schema.insert("active-", 9, schema.active) + schema.insert("refreshed-", 1, schema.expired))
        if let verification = schema.verification {
            try database.execute(verification.insert("old-", 4, schema.expired) + verification.insert("new-", 3, schema.active))
        }

        let stats = try stack.request("GET", "/api/cron/cleanup-sessions")
        #expect(stats.status == 200, "\(stats.body)")
        let counts = try #require(stats.json?["stats"] as? [String: Any], "\(stats.body)")
        #expect(counts["total"] as? Int == 16 && counts["active"] as? Int == 9 && counts["expired"] as? Int == 7, "\(stats.body)")

        // The application refreshes "refreshed-1" while the cleanup runs: its
        // UPDATE holds the row until it commits; the cleanup leaves the row
        // it holds without waiting, and the other tables are still cleaned.
        let refresher = try database.connect()
        try refresher.executeScript(
            unsafeSQL: "BEGIN; UPDATE \(schema.quotedTable) SET \(schema.ruleColumn) = \(schema.active) WHERE \(schema.keyColumn) = 'refreshed-1';"
        )
        let committed = DispatchSemaphore(value: 0)
        let transaction = UncheckedSendable(refresher)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            try? transaction.value.executeScript(unsafeSQL: "COMMIT")
            committed.signal()
        }
        let cleanup = try stack.request("POST", "/api/cron/cleanup-sessions")
        committed.wait()
        #expect(cleanup.status == 200, "\(cleanup.body)")
        #expect(cleanup.json?["deletedCount"] as? Int == 6, "\(cleanup.body)")
        #expect(try database.rowCount(table, where: "\(schema.keyColumn) = 'refreshed-1'") == 1, "the refreshed session survives")
        #expect(try database.rowCount(table, where: "\(schema.keyColumn) LIKE 'active-%'") == 9)
        #expect(try database.rowCount(table) == 10)
        if let verification = schema.verification {
            #expect(cleanup.json?["deletedVerificationTokens"] as? Int == 4, "\(cleanup.body)")
            let tokens = try database.integer(SQLQuery(unsafeSQL: "SELECT count(*) FROM \(verification.table)"))
            #expect(tokens == 3)
        } else {
            #expect(cleanup.json?["deletedVerificationTokens"] == nil, "no such key without verification tokens")
        }
        #expect(cleanup.json?["message"] as? String == "Successfully deleted 6 expired session(s)")
        // The test database has the contract's "AuditLog", so every preset writes its run there too.
        let audit = try database.connect().query(
            #"SELECT details->>'deletedCount', details->>'deletedVerificationTokens' FROM "AuditLog" WHERE action = 'SESSION_CLEANUP'"#)
        #expect(audit.rows.count == 1)
        #expect(audit.value(column: 0) == "6", "the sessions' count, as in the answer")
        #expect(audit.value(column: 1) == (schema.verification == nil ? nil : "4"))

        // The CLI, the same way.
        try database.execute(schema.insert("later-", 3, schema.expired))
        let environment = Self.environment(preset)
        let dry = try authsweep(["cleanup-sessions", "--dry-run", "--json"], database: database, environment: environment)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains(#""expiredCount":3"#), "\(dry.stdout)")
        let run = try authsweep(["cleanup-sessions", "--json"], database: database, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#""deletedCount":3"#), "\(run.stdout)")
        let cliStats = try authsweep(["stats", "--json"], database: database, environment: environment)
        #expect(cliStats.stdout.contains(#""total":10,"active":10,"expired":0"#), "\(cliStats.stdout)")

        // check names the preset the tables match, and warns when the
        // configured one is another.
        let check = try authsweep(["check"], database: database, environment: environment.merging(["CRON_SECRET": Stack.secret]) { $1 })
        // (Every test database also has the contract's "Session", which authjs-prisma matches.)
        let matched = check.stdout.split(separator: "\n").first { $0.contains("match the presets: ") }.map(String.init) ?? ""
        #expect(matched.contains("\(preset.rawValue) (\(table))"), "\(check.stdout)")
        #expect(!check.stdout.contains("WARNING session.preset"), "\(check.stdout)")
        #expect(check.stdout.contains("ok      expired sessions: \(table).\(preset.tableNames.sessionExpires)"), "\(check.stdout)")
        if preset != .authjsPrisma {
            try database.execute(#"DROP TABLE "Session""#)
            let wrong = try authsweep(["check"], database: database, environment: ["CRON_SECRET": Stack.secret])
            #expect(wrong.stdout.contains("WARNING session.preset is authjs-prisma, whose table Session is not in this database"), "\(wrong.stdout)")
            #expect(wrong.stdout.contains("fix: set session.preset = \(preset.rawValue)"), "\(wrong.stdout)")
        }
    }
}

extension PresetSchema: CustomTestStringConvertible {
    public var testDescription: String { preset.rawValue }
}

/// The refresher's connection, handed to the thread that commits it while
/// this one waits for the cleanup: never used by both at once.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
