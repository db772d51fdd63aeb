import AuthSweep
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("session and user administration from the command line", .serialized)
final class AdministrationCommandTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("admin")
        try database.execute(
            """
            INSERT INTO "User" (id, name, email, role) VALUES ('u1', 'Ann', 'ann@example.test', 'USER'), ('u2', 'Ben', 'ben@example.test', 'USER');
            INSERT INTO "Session" VALUES
              ('s-new', 'tok-newest-0123456789', 'u1', (now() AT TIME ZONE 'UTC') + interval '3 hours'),
              ('s-mid', 'tok-middle-0123456789', 'u1', (now() AT TIME ZONE 'UTC') + interval '1 hour'),
              ('s-old', 'tok-expired-012345678', 'u1', (now() AT TIME ZONE 'UTC') - interval '1 hour'),
              ('s-ben', 'tok-ben-0123456789abc', 'u2', (now() AT TIME ZONE 'UTC') + interval '2 hours');
            """)
    }

    func auditRows(_ action: String) throws -> [[String?]] {
        try database.connect().query(#"SELECT "userId", details::text FROM "AuditLog" WHERE action = \#(action)"#).rows
    }

    @Test("sessions list shows a user's active sessions, newest expiry first, with tokens cut to 8 characters")
    func listSessions() throws {
        let text = try authsweep(["sessions", "list", "u1"], database: database)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("s-new") == true && lines.last?.hasPrefix("s-mid") == true)
        #expect(text.stdout.contains("tok-newe…"))
        #expect(!text.stdout.contains("tok-newest-0"), "a token is never printed whole")

        let json = try authsweep(["sessions", "list", "u1", "--json"], database: database)
        #expect(json.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(array.map { $0["id"] } == ["s-new", "s-mid"])
        #expect(array.allSatisfy { Set($0.keys) == ["id", "expires"] })
        let expires = try #require(array.first?["expires"])
        #expect(try #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#.wholeMatch(in: expires) != nil)
    }

    @Test("sessions list for a user that does not exist fails with exit 1")
    func listUnknownUser() throws {
        let result = try authsweep(["sessions", "list", "nobody"], database: database)
        #expect(result.status == 1)
        #expect(result.stderr == "authsweep: no user has id 'nobody'\n")
    }

    @Test("sessions revoke deletes that session and audits SESSION_REVOKE without the token")
    func revoke() throws {
        let result = try authsweep(["sessions", "revoke", "tok-middle-0123456789"], database: database)
        #expect(result.status == 0)
        #expect(try database.rowCount("Session", where: "id = 's-mid'") == 0)
        #expect(try database.rowCount("Session") == 3)
        let audit = try auditRows("SESSION_REVOKE")
        #expect(audit.count == 1 && audit.first?[0] == "u1")
        #expect(audit.first?[1]?.contains("s-mid") == true)
        #expect(audit.first?[1]?.contains("tok-") == false)

        let again = try authsweep(["sessions", "revoke", "tok-middle-0123456789"], database: database)
        #expect(again.status == 1, "a token that does not exist is an error")
        #expect(!again.stderr.contains("tok-middle"), "the token is not echoed")
        #expect(try auditRows("SESSION_REVOKE").count == 1)
    }

    @Test("sessions invalidate deletes all of a user's sessions but the one kept, and says how many went")
    func invalidate() throws {
        let result = try authsweep(["sessions", "invalidate", "u1", "--except", "tok-newest-0123456789"], database: database)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Invalidated 2 session(s)"))
        #expect(try database.connect().query(#"SELECT id FROM "Session" ORDER BY id"#).rows.map { $0[0] } == ["s-ben", "s-new"])
        let audit = try auditRows("SESSIONS_INVALIDATE")
        #expect(audit.count == 1 && audit.first?[0] == "u1")
        #expect(audit.first?[1]?.contains(#""deletedCount": 2"#) == true)

        let foreign = try authsweep(["sessions", "invalidate", "u1", "--except", "tok-ben-0123456789abc"], database: database)
        #expect(foreign.status == 1, "another user's token cannot be the one kept")
        #expect(try database.rowCount("Session") == 2)
        let unknown = try authsweep(["sessions", "invalidate", "nobody"], database: database)
        #expect(unknown.status == 1)
    }

    @Test("a session token can come from standard input (-), so it never shows in ps or the shell history")
    func tokensFromStandardInput() throws {
        let revoked = try authsweep(["sessions", "revoke", "-"], database: database, standardInput: "tok-middle-0123456789\n")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try database.rowCount("Session", where: "id = 's-mid'") == 0)
        let kept = try authsweep(["sessions", "invalidate", "u1", "--except", "-"], database: database, standardInput: "tok-newest-0123456789")
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(try database.connect().query(#"SELECT id FROM "Session" ORDER BY id"#).rows.map { $0[0] } == ["s-ben", "s-new"])
        for input in ["", "\n", "two\nlines\n"] {
            let refused = try authsweep(["sessions", "revoke", "-"], database: database, standardInput: input)
            #expect(refused.status == 64)
            #expect(refused.stderr.contains("standard input must hold the token on one line"))
        }
    }

    @Test("with ADMIN_DATABASE_URL the administration commands connect as their own role, which may change users; the workers' role may not")
    func administrationRole() throws {
        let worker = database.name + "_w"
        let admin = database.name + "_a"
        try database.execute(
            """
            DO $$ BEGIN CREATE ROLE \(worker) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            DO $$ BEGIN CREATE ROLE \(admin) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, DELETE ON login_attempts, auth_audit_log, user_sessions, "Session" TO \(worker);
            GRANT SELECT, INSERT, UPDATE ON authsweep_jobs TO \(worker);
            GRANT SELECT, INSERT ON "AuditLog" TO \(worker), \(admin);
            GRANT SELECT, DELETE ON "Session" TO \(admin);
            GRANT SELECT, UPDATE ON "User" TO \(admin);
            """)
        let asWorker: [String: String?] = ["DATABASE_URL": database.connectionString + " user=\(worker)"]
        let refused = try authsweep(["users", "set-role", "u2", "ADMIN"], database: database, environment: asWorker)
        #expect(refused.status == 1, "the workers' role cannot change users")
        let withAdmin = asWorker.merging(["ADMIN_DATABASE_URL": database.connectionString + " user=\(admin)"]) { $1 }
        let changed = try authsweep(["users", "set-role", "u2", "ADMIN"], database: database, environment: withAdmin)
        #expect(changed.status == 0, "\(changed.stderr)")
        let revoked = try authsweep(["sessions", "revoke", "-"], database: database, environment: withAdmin, standardInput: "tok-middle-0123456789\n")
        #expect(revoked.status == 0, "\(revoked.stderr)")
    }

    @Test("users set-role and users update change the row and audit what changed")
    func userChanges() throws {
        let role = try authsweep(["users", "set-role", "u2", "ADMIN"], database: database)
        #expect(role.status == 0)
        #expect(try database.connect().query(#"SELECT role FROM "User" WHERE id = 'u2'"#).value() == "ADMIN")
        let roleAudit = try auditRows("USER_ROLE_UPDATE")
        #expect(roleAudit.first?[0] == "u2")
        #expect(roleAudit.first?[1] == #"{"role": {"to": "ADMIN", "from": "USER"}}"#)

        let update = try authsweep(["users", "update", "u2", "--name", "Benjamin", "--email", "benjamin@example.test"], database: database)
        #expect(update.status == 0)
        let row = try database.connect().query(#"SELECT name, email FROM "User" WHERE id = 'u2'"#)
        #expect(row.value(column: 0) == "Benjamin" && row.value(column: 1) == "benjamin@example.test")
        #expect(try auditRows("USER_UPDATE").count == 1)

        let missing = try authsweep(["users", "set-role", "nobody", "ADMIN"], database: database)
        #expect(missing.status == 1)
        let nothing = try authsweep(["users", "update", "u2"], database: database)
        #expect(nothing.status == 64, "no field to change is bad usage")
    }
}

@Suite("command-line jobs and exit statuses", .serialized)
final class JobCommandTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("cli")
        try database.insertSessions(4, prefix: "old-", expiringIn: -60)
        try database.insertSessions(6, prefix: "live-", expiringIn: 3600)
    }

    @Test("--json prints exactly the endpoint's body on one line")
    func jsonBodies() throws {
        let stats = try authsweep(["stats", "--json"], database: database)
        #expect(stats.status == 0)
        #expect(try #/^\{"success":true,"stats":\{"total":10,"active":6,"expired":4,"timestamp":"[0-9T:.-]{23}Z"\}\}\n$/#.wholeMatch(in: stats.stdout) != nil)
        let cleanup = try authsweep(["cleanup-sessions", "--json", "--verbose", "--stats"], database: database)
        #expect(cleanup.status == 0)
        #expect(
            try #/^\{"success":true,"deletedCount":4,"message":"Successfully deleted 4 expired session\(s\)","timestamp":"[0-9T:.-]{23}Z"\}\n$/#.wholeMatch(
                in: cleanup.stdout) != nil)
        let auth = try authsweep(["cleanup-auth", "--json"], database: database)
        #expect(auth.status == 0)
        #expect(auth.stdout.hasPrefix(#"{"success":true,"message":"Cleanup completed""#))
    }

    @Test("--dry-run --stats prints the counts before and after and deletes nothing")
    func dryRunWithStats() throws {
        let result = try authsweep(["cleanup-sessions", "--dry-run", "--stats"], database: database)
        #expect(result.status == 0)
        #expect(result.stdout.contains("Before: total 10, active 6, expired 4"))
        #expect(result.stdout.contains("Dry run: 4 expired session(s) would be deleted"))
        #expect(result.stdout.contains("After: total 10, active 6, expired 4"))
        #expect(try database.rowCount("Session") == 10)
    }

    @Test("an unreachable database exits 69 with one line on stderr and no password")
    func unreachableDatabase() throws {
        let result = try authsweep(
            ["stats"], database: nil,
            environment: [
                "DATABASE_URL": "postgresql://app:hunter2-password@127.0.0.1:1/app?connect_timeout=2"
            ])
        #expect(result.status == 69)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("hunter2"))
    }

    @Test("--version is what scripts/version says of the checkout the binary was built from: the base in VERSION, the commits since, the commit")
    func version() throws {
        let script = try ChildProcess.run(PackagePaths.root + "/scripts/version", [])
        try #require(script.status == 0, "the tests run in a git checkout: \(script.stderr)")
        let expected = script.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try authsweep(["--version"], database: nil)
        #expect(result.status == 0)
        // .dirty when the tree had changes at build time; the commit must match either way.
        let clean = { (text: String) in text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ".dirty", with: "") }
        #expect(clean(result.stdout) == clean(expected))
        #expect(expected.range(of: #"^[0-9]+(\.[0-9]+)*\+[0-9]+\.g[0-9a-f]{7,}(\.dirty)?$"#, options: .regularExpression) != nil, "\(expected)")
    }

    @Test("two successive commits' versions are ordered by dpkg --compare-versions, and a new base in VERSION starts above them")
    func versionsAreOrdered() throws {
        let clone = NSTemporaryDirectory() + "authsweep-version-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        func git(_ arguments: [String]) throws {
            let result = try ChildProcess.run(
                "/usr/bin/git", ["-C", clone, "-c", "user.name=test", "-c", "user.email=test@localhost"] + arguments)
            try #require(result.status == 0, "git \(arguments): \(result.stderr)")
        }
        let cloned = try ChildProcess.run("/usr/bin/git", ["clone", "-q", "--no-local", PackagePaths.root, clone])
        try #require(cloned.status == 0, "\(cloned.stderr)")
        // This checkout's own script and base, committed or not.
        for file in ["scripts/version", "VERSION"] {
            try? FileManager.default.removeItem(atPath: clone + "/" + file)
            try FileManager.default.copyItem(atPath: PackagePaths.root + "/" + file, toPath: clone + "/" + file)
        }
        try git(["add", "scripts/version", "VERSION"])
        try git(["commit", "-q", "--allow-empty", "-m", "the checkout's version script"])
        func version() throws -> String {
            let result = try ChildProcess.run(clone + "/scripts/version", [])
            try #require(result.status == 0, "\(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func ordered(_ older: String, _ newer: String) throws -> Bool {
            try ChildProcess.run("/usr/bin/dpkg", ["--compare-versions", older, "lt", newer]).status == 0
        }
        let first = try version()
        try git(["commit", "-q", "--allow-empty", "-m", "the next commit"])
        let second = try version()
        #expect(first != second)
        #expect(try ordered(first, second), "\(first) < \(second)")
        try "9.0.0\n".write(toFile: clone + "/VERSION", atomically: true, encoding: .utf8)
        try git(["commit", "-q", "-a", "-m", "a new base"])
        let rebased = try version()
        #expect(rebased.hasPrefix("9.0.0+0.g"), "\(rebased)")
        #expect(try ordered(second, rebased), "\(second) < \(rebased)")
        // The builds before this scheme, 0.1.0+g<commit>, are older still.
        #expect(try ordered("0.1.0+g1c8f075", first), "\(first)")
    }

    @Test(
        "each subcommand's --help lists its own exit statuses: a cleanup's five, config's two (never 75), check's own meanings",
        arguments: [
            (["cleanup-auth"], ["0 done", "1 the job failed", "64 bad usage", "69 the database", "75 the same cleanup"], [String]()),
            (["config"], ["0 done", "64 bad usage"], ["75 ", "69 ", "1 the job"]),
            (["check"], ["0 no problem found", "1 a problem was found", "64 bad usage", "69 the database cannot be reached"], ["75 "]),
            (["sessions", "revoke"], ["0 done", "1 the job failed", "64 bad usage", "69 the database"], ["75 "]),
            (["secret", "fingerprint"], ["0 printed", "64 standard input is empty"], ["69 ", "75 "]),
            (["serve"], ["0 stopped by SIGTERM", "64 bad usage"], ["75 "]),
        ])
    func exitStatusesInHelp(command: [String], present: [String], absent: [String]) throws {
        let help = try authsweep(command + ["--help"], database: nil)
        #expect(help.status == 0)
        // The help text is wrapped: compare it as one line.
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in present { #expect(text.contains(phrase), "\(command): \(phrase)") }
        for phrase in absent { #expect(!text.contains(phrase), "\(command): \(phrase)") }
    }

    @Test("the shell completions offer the log levels for --log-level and files for --config and --env-file")
    func completions() throws {
        // How each shell's script spells the list of levels.
        let levels = [
            "bash": #"-W 'trace'$'\n''debug'$'\n''info'$'\n''notice'$'\n''warning'$'\n''error'$'\n''critical'"#,
            "zsh": "('trace' 'debug' 'info' 'notice' 'warning' 'error' 'critical')",
            "fish": "-rfka 'trace debug info notice warning error critical'",
        ]
        for (shell, spelled) in levels {
            let script = try authsweep(["--generate-completion-script", shell], database: nil)
            #expect(script.status == 0, "\(shell)")
            #expect(script.stdout.contains(spelled), "\(shell)")
        }
        // --config offers the .conf files (and directories).
        let bash = try authsweep(["--generate-completion-script", "bash"], database: nil).stdout
        #expect(bash.contains("-o plusdirs -fX '!*.@(conf)'"))
    }

    @Test("bad usage and a bad config file exit 64 with one line naming the problem")
    func badUsage() throws {
        let unknown = try authsweep(["cleanup-sessions", "--no-such-flag"], database: database)
        #expect(unknown.status == 64)
        let badConfig = try authsweep(["stats"], database: database, environment: ["AUTHSWEEP_CLEANUP_BATCH_SIZE": "many"])
        #expect(badConfig.status == 64)
        #expect(badConfig.stderr == "authsweep: AUTHSWEEP_CLEANUP_BATCH_SIZE: 'cleanup.batch_size' must be an integer from 1 to 1000000, got 'many'\n")
    }

    @Test("serve refuses to start without a usable secret, saying why and never printing it")
    func serveRefusesWithoutSecret() throws {
        let cases: [([String: String?], String)] = [
            (["CRON_SECRET": nil, "CRON_SECRET_FILE": nil], "no secret configured"),
            (["CRON_SECRET": "too-short", "CRON_SECRET_FILE": nil], "at least 16"),
            (["CRON_SECRET": "0123456789abcdef0123", "CRON_SECRET_FILE": "/etc/hostname"], "both CRON_SECRET and CRON_SECRET_FILE"),
        ]
        for (environment, expected) in cases {
            let result = try authsweep(["serve", "--listen", "127.0.0.1:1"], database: database, environment: environment)
            #expect(result.status == 64)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(!result.stderr.contains("too-short") && !result.stderr.contains("0123456789abcdef0123"))
        }
    }
}

@Suite("reconnecting after the database drops the connection")
final class ReconnectTests {
    @Test("a connection terminated by the server is replaced on the next job, with no error")
    func reconnectsAfterTermination() throws {
        let database = try TestDatabase.fresh("reconnect")
        let test = TestJobs(database)
        let session = test.session()
        _ = try test.jobs.sessionStats(on: session)
        try database.connect().query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database.name) AND pid <> pg_backend_pid()")
        usleep(100_000)
        let stats = try test.jobs.sessionStats(on: session)
        #expect(stats.total == 0)
    }
}

@Suite("authsweep check and authsweep config", .serialized)
final class CheckCommandTests {
    let database: TestDatabase
    let secret: [String: String?] = ["CRON_SECRET": "check-secret-0123456789", "CRON_SECRET_FILE": nil]

    init() throws {
        database = try TestDatabase.fresh("check")
    }

    @Test("with the schema in place and a secret set, every check passes")
    func allGood() throws {
        let result = try authsweep(["check"], database: database, environment: secret)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("All checks passed"))
        #expect(!result.stdout.contains("check-secret-0123456789"))
    }

    @Test("as a role with only the README's grants the cleanups run and check has nothing to add; a wider grant is a warning, a missing one a problem")
    func leastPrivilege() throws {
        let role = database.name + "_worker"
        try database.createWorkerRole(role)
        try database.insertSessions(5, prefix: "old-", expiringIn: -60)
        let asWorker = secret.merging(["DATABASE_URL": database.connectionString + " user=\(role)"]) { $1 }
        #expect(try authsweep(["cleanup-sessions"], database: database, environment: asWorker).status == 0)
        #expect(try authsweep(["cleanup-auth"], database: database, environment: asWorker).status == 0)
        #expect(try database.rowCount("Session") == 0)

        let exact = try authsweep(["check"], database: database, environment: asWorker)
        #expect(exact.status == 0, "\(exact.stdout)")
        #expect(exact.stdout.contains("ok      the database role \"\(role)\" has the privileges the cleanups need and no more"), "\(exact.stdout)")
        #expect(!exact.stdout.contains("WARNING"))
        #expect(exact.stdout.hasSuffix("All checks passed.\n"))

        try database.execute(#"GRANT UPDATE, TRUNCATE ON "Session" TO \#(role); GRANT UPDATE ON "User" TO \#(role);"#)
        let wide = try authsweep(["check"], database: database, environment: asWorker)
        #expect(wide.status == 0)
        #expect(
            wide.stdout.contains(#"WARNING the database role "\#(role)" can also UPDATE, TRUNCATE on "Session": authsweep does not need them"#),
            "\(wide.stdout)")
        #expect(wide.stdout.contains(#"fix: REVOKE UPDATE, TRUNCATE ON "Session" FROM "\#(role)";"#))
        #expect(wide.stdout.contains(#"can also UPDATE on "User": only the administration commands change users"#))
        #expect(wide.stdout.hasSuffix("All checks passed, with 2 warning(s) above.\n"))

        try database.execute(#"REVOKE DELETE ON "Session" FROM \#(role);"#)
        let narrow = try authsweep(["check"], database: database, environment: asWorker)
        #expect(narrow.status == 1)
        #expect(narrow.stdout.contains(#"PROBLEM the database role "\#(role)" cannot DELETE on "Session""#), "\(narrow.stdout)")
        #expect(narrow.stdout.contains(#"fix: GRANT DELETE ON "Session" TO "\#(role)";"#))
    }

    @Test("a role that may create tables makes authsweep_jobs on its first run, and owning it is no warning")
    func leaseTableOwnedByTheRole() throws {
        let role = database.name + "_creator"
        try database.execute(
            """
            DROP TABLE authsweep_jobs;
            DO $$ BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT CREATE ON SCHEMA public TO \(role);
            GRANT SELECT, DELETE ON login_attempts, auth_audit_log, user_sessions, "Session" TO \(role);
            GRANT SELECT, INSERT ON "AuditLog" TO \(role);
            """)
        let asRole = secret.merging(["DATABASE_URL": database.connectionString + " user=\(role)"]) { $1 }
        let before = try authsweep(["check"], database: database, environment: asRole)
        #expect(before.stdout.contains("ok      table authsweep_jobs does not exist yet: the first cleanup creates it"), "\(before.stdout)")
        #expect(try authsweep(["cleanup-sessions"], database: database, environment: asRole).status == 0)
        let after = try authsweep(["check"], database: database, environment: asRole)
        #expect(after.status == 0, "\(after.stdout)")
        #expect(!after.stdout.contains("owns authsweep_jobs"), "\(after.stdout)")
        #expect(after.stdout.contains("has the privileges the cleanups need and no more"), "\(after.stdout)")
    }

    @Test("a superuser is warned about, and check still passes")
    func superuser() throws {
        let result = try authsweep(["check"], database: database, environment: secret)
        #expect(result.status == 0)
        #expect(result.stdout.contains("WARNING the database role \"postgres\" is a superuser"), "\(result.stdout)")
    }

    @Test("a secret file other users can read is warned about, with the chmod that fixes it")
    func secretFileMode() throws {
        let path = NSTemporaryDirectory() + "authsweep-check-secret-\(getpid())"
        try "check-file-secret-0123456789\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        chmod(path, 0o644)
        let environment: [String: String?] = ["CRON_SECRET": nil, "CRON_SECRET_FILE": path]
        let open = try authsweep(["check"], database: database, environment: environment)
        #expect(open.stdout.contains("WARNING CRON_SECRET_FILE \(path) can be read or written by every local user (mode 0644)"), "\(open.stdout)")
        #expect(open.stdout.contains("fix: chmod 600 \(path)"))
        chmod(path, 0o660)
        #expect(try authsweep(["check"], database: database, environment: environment).stdout.contains("can be read or written by its group (mode 0660)"))
        // Read by the file's group when that group is the checking user's own (the package's root:authsweep 0640).
        chmod(path, 0o640)
        #expect(!(try authsweep(["check"], database: database, environment: environment).stdout.contains("CRON_SECRET_FILE")))
        chmod(path, 0o600)
        #expect(!(try authsweep(["check"], database: database, environment: environment).stdout.contains("CRON_SECRET_FILE")))
    }

    @Test("a missing expiry index is a warning with the exact CREATE INDEX CONCURRENTLY to run and the size from which it matters")
    func missingIndex() throws {
        try database.execute(#"DROP INDEX "Session_expires_idx""#)
        let result = try authsweep(["check"], database: database, environment: secret)
        #expect(result.status == 0, "no stock Auth.js, Better Auth or Lucia schema has the index: \(result.stdout)")
        #expect(result.stdout.contains(#"WARNING "Session" has no index on "expires": harmless at its size now"#), "\(result.stdout)")
        #expect(result.stdout.contains("it matters once the table passes 10 MB"))
        #expect(result.stdout.contains(#"fix: CREATE INDEX CONCURRENTLY "Session_expires_idx" ON "Session" ("expires");"#), "\(result.stdout)")
        // From 10 MB on, the warning says what it costs now.
        try database.execute(
            #"INSERT INTO "Session" (id, "sessionToken", "userId", expires) SELECT 'big-' || n, md5(n::text) || repeat('x', 100), 'user-1', now() FROM generate_series(1, 80000) n"#
        )
        #expect(
            try authsweep(["check"], database: database, environment: secret).stdout.contains("every cleanup batch and every stats call reads the whole table"))
        try database.execute(#"DELETE FROM "Session""#)
        // The printed statement is one that works.
        try database.execute(#"CREATE INDEX CONCURRENTLY "Session_expires_idx" ON "Session" ("expires");"#)
        let indexed = try authsweep(["check"], database: database, environment: secret)
        #expect(indexed.status == 0 && indexed.stdout.contains(#"ok      "Session" has an index on "expires""#), "\(indexed.stdout)")
    }

    @Test("a missing table, a missing column and a missing secret are each reported; only an unusable secret is a problem")
    func missingTableColumnAndSecret() throws {
        try database.execute("DROP TABLE auth_audit_log; ALTER TABLE user_sessions DROP COLUMN revoked_at;")
        let result = try authsweep(["check"], database: database, environment: ["CRON_SECRET": nil, "CRON_SECRET_FILE": nil])
        #expect(result.status == 1)
        #expect(result.stdout.contains(#"PROBLEM table "auth_audit_log" does not exist"#))
        #expect(result.stdout.contains(#"column "revoked_at" of table "user_sessions" does not exist"#))
        // The command line's cleanups need no secret; the worker refuses to start without one.
        #expect(result.stdout.contains("WARNING no secret configured: the command line's cleanups need none"), "\(result.stdout)")
        #expect(result.stderr == "authsweep: check found 2 problem(s)\n")
        let unusable = try authsweep(["check"], database: database, environment: ["CRON_SECRET": "too-short", "CRON_SECRET_FILE": nil])
        #expect(unusable.status == 1 && unusable.stdout.contains("PROBLEM CRON_SECRET"), "a secret set but unusable: \(unusable.stdout)")
    }

    @Test("an unreachable database exits 69")
    func unreachable() throws {
        let result = try authsweep(["check"], database: nil, environment: secret.merging(["DATABASE_URL": "host=127.0.0.1 port=1 connect_timeout=2"]) { $1 })
        #expect(result.status == 69)
        #expect(result.stdout.contains("PROBLEM the database cannot be reached"))
    }

    @Test("config prints the effective configuration with the password and the secret masked")
    func config() throws {
        let result = try authsweep(
            ["config"], database: nil,
            environment: secret.merging([
                "DATABASE_URL": "postgresql://app:pa55word@db/app", "AUTHSWEEP_CLEANUP_BATCH_SIZE": "777",
            ]) { $1 })
        #expect(result.status == 0)
        #expect(result.stdout.contains("cleanup.batch_size = 777"))
        #expect(result.stdout.contains("session.table = Session"))
        #expect(result.stdout.contains("DATABASE_URL = user=app password=**** dbname=app host=db"))
        #expect(result.stdout.contains("CRON_SECRET = **** (set)"))
        #expect(!result.stdout.contains("pa55word") && !result.stdout.contains("check-secret"))
    }

    @Test("the CLI takes the variables it lacks from the service's environment file; a variable already set wins")
    func environmentFile() throws {
        let directory = try ScratchDirectory("env-file")
        let path = directory.path + "/authsweep.env"
        try """
        # as the package writes it
        DATABASE_URL='postgresql://app:fr0m-file@db/app'
        AUTHSWEEP_CLEANUP_BATCH_SIZE=1234
        AUTHSWEEP_SESSION_TABLE=FromFile
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = try authsweep(
            ["config", "--env-file", path], database: nil, environment: ["DATABASE_URL": nil, "AUTHSWEEP_SESSION_TABLE": "FromEnvironment"])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        #expect(fromFile.stdout.contains("DATABASE_URL = user=app password=**** dbname=app host=db"))
        #expect(fromFile.stdout.contains("cleanup.batch_size = 1234"))
        #expect(fromFile.stdout.contains("session.table = FromEnvironment"), "the environment wins over the file")
        #expect(!fromFile.stdout.contains("fr0m-file"))
        let byVariable = try authsweep(["config"], database: nil, environment: ["DATABASE_URL": nil, "AUTHSWEEP_ENV_FILE": path])
        #expect(byVariable.stdout.contains("cleanup.batch_size = 1234"))

        try "DATABASE_URL=postgresql://app:fr0m-file@db/app\nthis line is wrong\n".write(toFile: path, atomically: true, encoding: .utf8)
        let malformed = try authsweep(["stats", "--env-file", path], database: nil)
        #expect(malformed.status == 64)
        #expect(malformed.stderr == "authsweep: \(path), line 2: expected NAME=value\n")
        let missing = try authsweep(["stats", "--env-file", directory.path + "/none.env"], database: nil)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("none.env"))
    }
}

@Suite("run records, status and cleanup-all", .serialized)
final class StatusCommandTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("status")
        try database.insertSessions(7, prefix: "old-", expiringIn: -60)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("status is stale (exit 1) where nothing ran, ok with both last successes after cleanup-all, and stale again once the limit passes")
    func staleOkStale() throws {
        let never = try authsweep(["status", "--json"], database: database)
        #expect(never.status == 1)
        #expect(never.stderr == "authsweep: stale: cleanup-auth, cleanup-sessions (no success within 26.0 h)\n")
        let neverBody = try json(never.stdout)
        #expect(neverBody["status"] as? String == "stale")
        let neverJobs = try #require(neverBody["jobs"] as? [String: [String: Any]])
        #expect(Set(neverJobs.keys) == ["cleanup-auth", "cleanup-sessions"])
        #expect(neverJobs["cleanup-sessions"]?["lastRun"] is NSNull && neverJobs["cleanup-sessions"]?["lastDeleted"] is NSNull)

        let all = try authsweep(["cleanup-all", "--json"], database: database)
        #expect(all.status == 0, "\(all.stderr)")
        let allBody = try json(all.stdout)
        #expect((allBody["cleanup-sessions"] as? [String: Any])?["deletedCount"] as? Int == 7)
        #expect((allBody["cleanup-auth"] as? [String: Any])?["message"] as? String == "Cleanup completed")

        let ok = try authsweep(["status", "--json"], database: database)
        #expect(ok.status == 0, "\(ok.stderr)")
        let okBody = try json(ok.stdout)
        #expect(okBody["status"] as? String == "ok")
        let jobs = try #require(okBody["jobs"] as? [String: [String: Any]])
        for name in ["cleanup-auth", "cleanup-sessions"] {
            let job = try #require(jobs[name])
            #expect(job["lastResult"] as? String == "success")
            #expect((job["lastSuccess"] as? String).map(isISOTimestamp) == true)
            #expect(job["lastRun"] as? String == job["lastSuccess"] as? String)
        }
        #expect(jobs["cleanup-sessions"]?["lastDeleted"] as? Int == 7)

        usleep(400_000)
        let stale = try authsweep(["status"], database: database, environment: ["AUTHSWEEP_MONITOR_STALE_AFTER_HOURS": "0.0001"])
        #expect(stale.status == 1)
        #expect(stale.stdout.contains("cleanup-sessions: STALE"), "\(stale.stdout)")
    }

    @Test("cleanup-all without login_attempts exits 1 but still cleans the sessions and records that run; switched off, the table is not needed")
    func independentJobs() throws {
        try database.execute("DROP TABLE login_attempts")
        let all = try authsweep(["cleanup-all"], database: database)
        #expect(all.status == 1)
        #expect(all.stderr.split(separator: "\n").count == 1)
        #expect(all.stderr.hasPrefix("authsweep: cleanup-auth failed: "), "\(all.stderr)")
        #expect(try database.rowCount("Session") == 0, "cleanup-sessions ran anyway")
        #expect(all.stdout.contains("cleanup-sessions: {\"success\":true,\"deletedCount\":7"), "\(all.stdout)")
        let status = try json(try authsweep(["status", "--json"], database: database).stdout)
        let jobs = try #require(status["jobs"] as? [String: [String: Any]])
        #expect(jobs["cleanup-sessions"]?["lastResult"] as? String == "success")

        let switchedOff = try authsweep(["cleanup-all"], database: database, environment: ["AUTHSWEEP_LOGIN_ATTEMPTS_ENABLED": "false"])
        #expect(switchedOff.status == 0, "\(switchedOff.stderr)")
        let disabled = try authsweep(["status"], database: database, environment: ["AUTHSWEEP_AUTH_ENABLED": "false"])
        #expect(disabled.stdout.contains("cleanup-auth: disabled"), "\(disabled.stdout)")
    }
}
