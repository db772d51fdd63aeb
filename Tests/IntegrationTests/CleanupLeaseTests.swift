import Foundation
import Postgres
import TestSupport
import Testing

@testable import AuthSweep

@Suite("one cleanup of a kind at a time: the lease", .serialized)
final class CleanupLeaseTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("lease")
        try database.insertSessions(10, prefix: "old-", expiringIn: -60)
    }

    /// Holds the lease of `kind` as another run would, from a connection of
    /// its own (alive as long as the returned connection is).
    func holdLease(_ kind: CleanupKind, expiresIn seconds: Int = 3600, serverStartedAt: String = "pg_postmaster_start_time()") throws -> PGConnection {
        let holder = try database.connect()
        try holder.executeScript(
            unsafeSQL: """
                INSERT INTO authsweep_jobs (job, holder, holder_pid, lease_expires_at, server_started_at)
                VALUES ('\(kind.rawValue)', gen_random_uuid(), pg_backend_pid(), now() + make_interval(secs => \(seconds)), \(serverStartedAt))
                ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, holder_pid = EXCLUDED.holder_pid,
                    lease_expires_at = EXCLUDED.lease_expires_at, server_started_at = EXCLUDED.server_started_at
                """)
        return holder
    }

    func expectAlreadyRunning(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: JobError.self, sourceLocation: sourceLocation) { try body() }
        guard case .alreadyRunning? = error else {
            Issue.record("expected alreadyRunning, got \(String(describing: error))", sourceLocation: sourceLocation)
            return
        }
    }

    @Test("a cleanup-sessions while another run holds the lease fails at once with alreadyRunning and deletes nothing")
    func sessionsLeased() throws {
        let holder = try holdLease(.cleanupSessions)
        let test = TestJobs(database)
        let started = ContinuousClock.now
        expectAlreadyRunning { _ = try test.cleanupSessions() }
        #expect(started.duration(to: .now) < .seconds(2), "the second caller does not wait")
        #expect(try database.rowCount("Session") == 10)
        #expect(try database.rowCount("AuditLog") == 0)
        _ = holder
    }

    @Test("the lease of one kind does not block the other kind")
    func kindsAreIndependent() throws {
        let holder = try holdLease(.cleanupAuth)
        let test = TestJobs(database)
        #expect(try test.cleanupSessions().deletedCount == 10)
        expectAlreadyRunning { _ = try test.cleanupAuth() }
        _ = holder
    }

    @Test("the lease is released after a run, and no advisory lock or session setting is left on the connection")
    func releasedAfterRun() throws {
        let test = TestJobs(database)
        let session = test.session()
        _ = try test.jobs.cleanupSessions(on: session, options: CleanupOptions())
        _ = try test.jobs.cleanupSessions(on: session, options: CleanupOptions())
        _ = try test.cleanupSessions()
        #expect(try database.leasesHeld() == 0)
        #expect(try database.integer("SELECT count(*) FROM authsweep_jobs WHERE holder IS NOT NULL") == 0)
        #expect(try database.advisoryLocks() == 0)
    }

    @Test(
        "a lease whose holder is gone is taken at once: its backend exited, it expired, or it was renewed on another server instance (a failover)",
        arguments: ["backend", "expired", "server"])
    func staleLeases(how: String) throws {
        var holder: PGConnection? =
            switch how {
            case "expired": try holdLease(.cleanupSessions, expiresIn: -1)
            case "server": try holdLease(.cleanupSessions, serverStartedAt: "now() - interval '1 day'")
            default: try holdLease(.cleanupSessions)
            }
        if how == "backend" {
            holder = nil  // its backend exits with the connection
            try waitFor("the holder's backend to exit") { (try? self.database.leasesHeld()) == 0 }
        }
        #expect(try TestJobs(database).cleanupSessions().deletedCount == 10)
        _ = holder
    }

    @Test("without authsweep_jobs a role that may create it does; one that may not is told how")
    func missingTable() throws {
        try database.execute("DROP TABLE authsweep_jobs")
        #expect(try TestJobs(database).cleanupSessions().deletedCount == 10)
        #expect(try database.integer("SELECT count(*) FROM authsweep_jobs WHERE job = 'cleanup-sessions'") == 1)

        let role = database.name + "_nocreate"
        try database.execute(
            """
            DROP TABLE authsweep_jobs;
            DO $$ BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, DELETE ON "Session" TO \(role);
            GRANT SELECT, INSERT ON "AuditLog" TO \(role);
            """)
        try database.insertSessions(3, prefix: "again-", expiringIn: -60)
        let restricted = TestJobs(database) { $0.databaseURL = self.database.connectionString + " user=\(role)" }
        let error = #expect(throws: JobError.self) { _ = try restricted.cleanupSessions() }
        #expect(error?.description.contains("deploy/authsweep-tables.sql") == true, "\(String(describing: error))")
        #expect(try database.rowCount("Session") == 3)
    }

    @Test("deploy/schema.sql and deploy/authsweep-tables.sql create the lease table exactly as authsweep does")
    func tableDefinitionsAgree() throws {
        func words(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let statement = words(CleanupLease.createTableSQL)
        for file in ["schema.sql", "authsweep-tables.sql"] {
            let text = try String(contentsOfFile: PackagePaths.root + "/deploy/" + file, encoding: .utf8)
            #expect(words(text).contains(statement + ";"), "\(file)")
        }
    }

    @Test("the CLI exits 75 with one line on stderr while the same cleanup runs elsewhere")
    func cliExitCode() throws {
        let holder = try holdLease(.cleanupSessions)
        let result = try authsweep(["cleanup-sessions"], database: database)
        #expect(result.status == 75)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("already running"))
        #expect(result.stdout.isEmpty)
        let json = try authsweep(["cleanup-sessions", "--json"], database: database)
        #expect(json.status == 75)
        #expect(json.stdout == #"{"success":false,"error":"Cleanup already in progress"}"# + "\n")
        _ = holder
    }
}
