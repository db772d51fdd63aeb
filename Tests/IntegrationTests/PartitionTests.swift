import AuthSweep
import Foundation
import InMemoryLogging
import Logging
import Postgres
import TestSupport
import Testing

/// `cleanup.partitions` on a partitioned `auth_audit_log`: day partitions
/// from ten days ago to tomorrow, relative to now, with a retention of 24
/// hours. The days that end at least 24 hours ago lie wholly before the
/// cutoff; yesterday holds it; a sub-partitioned day goes whole; the
/// default partition (today has no partition of its own, so today's rows
/// land there beside rows older than every partition) never goes, nor does
/// the partition reaching MAXVALUE.
@Suite("whole partitions before the cutoff", .serialized)
struct PartitionTests {
    /// Days back from today (UTC) whose partitions lie wholly before the cutoff.
    static let wholeDays = 2...10
    static let subPartitionedDay = 5

    /// A fresh database whose `TimeZone` is `zone`, its `auth_audit_log`
    /// partitioned by day on `created_at` (of `columnType`), with rows.
    static func partitionedDatabase(
        _ name: String, zone: String = "UTC", columnType: String = "timestamptz", withDefault: Bool = true
    ) throws
        -> TestDatabase
    {
        let database = try TestDatabase.empty(name, timeZone: zone)
        try database.resetSchema()
        // Day bounds in UTC, whatever the session's zone: a timestamptz bound
        // is the moment, a timestamp one UTC's wall time (as the rule reads it).
        let day =
            columnType == "timestamptz" ? "(date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')" : "date_trunc('day', now() AT TIME ZONE 'UTC')"
        let now = columnType == "timestamptz" ? "now()" : "(now() AT TIME ZONE 'UTC')"
        try database.execute(
            """
            DROP TABLE auth_audit_log;
            CREATE TABLE auth_audit_log (
                id bigserial, user_id text, event text NOT NULL, ip_address text,
                created_at \(columnType) NOT NULL, PRIMARY KEY (id, created_at)
            ) PARTITION BY RANGE (created_at);
            DO $$
            DECLARE today \(columnType) := \(day);
            BEGIN
                FOR back IN 1..10 LOOP
                    IF back = \(subPartitionedDay) THEN
                        EXECUTE format('CREATE TABLE audit_d%s PARTITION OF auth_audit_log FOR VALUES FROM (%L) TO (%L) PARTITION BY HASH (id)',
                                       back, today - back * interval '24 hours', today - (back - 1) * interval '24 hours');
                        EXECUTE format('CREATE TABLE audit_d%s_h0 PARTITION OF audit_d%s FOR VALUES WITH (modulus 2, remainder 0)', back, back);
                        EXECUTE format('CREATE TABLE audit_d%s_h1 PARTITION OF audit_d%s FOR VALUES WITH (modulus 2, remainder 1)', back, back);
                    ELSE
                        EXECUTE format('CREATE TABLE audit_d%s PARTITION OF auth_audit_log FOR VALUES FROM (%L) TO (%L)',
                                       back, today - back * interval '24 hours', today - (back - 1) * interval '24 hours');
                    END IF;
                END LOOP;
                EXECUTE format('CREATE TABLE audit_later PARTITION OF auth_audit_log FOR VALUES FROM (%L) TO (MAXVALUE)', today + interval '24 hours');
            END $$;
            \(withDefault ? "CREATE TABLE audit_default PARTITION OF auth_audit_log DEFAULT;" : "")
            -- Every 20 minutes from 12 days ago to 2 days ahead; with no
            -- default partition, none before the first or on today.
            INSERT INTO auth_audit_log (event, created_at)
            SELECT 'e', \(now) + g * interval '20 minutes' FROM generate_series(-12 * 72, 2 * 72) g
            \(withDefault ? "" : "WHERE \(now) + g * interval '20 minutes' >= \(day) - interval '240 hours' AND \(now) + g * interval '20 minutes' NOT BETWEEN \(day) AND \(day) + interval '24 hours' - interval '1 microsecond'");
            """)
        return database
    }

    static func jobs(_ database: TestDatabase, _ mode: CleanupPartitions) -> TestJobs {
        TestJobs(database) {
            $0.cleanupPartitions = mode
            $0.authRetentionHours = 24
            $0.loginAttemptsEnabled = false
            $0.userSessionsEnabled = false
        }
    }

    /// The partitions of `auth_audit_log` now (its whole tree), by name.
    static func partitions(_ database: TestDatabase) throws -> Set<String> {
        let connection = try database.connect()
        let result = try connection.query("SELECT relid::regclass::text FROM pg_partition_tree('auth_audit_log') WHERE level > 0")
        return Set(result.rows.compactMap { $0.first ?? nil })
    }

    static let cutoff = "now() - interval '24 hours'"

    @Test(
        "drop: the days before the cutoff go whole (a sub-partitioned day as one), counted in the answer; yesterday, today's default partition and the MAXVALUE partition stay, and every live row with them, in any TimeZone",
        arguments: [("UTC", "timestamptz"), ("Pacific/Kiritimati", "timestamptz"), ("America/St_Johns", "timestamptz"), ("Pacific/Pago_Pago", "timestamp")])
    func dropsWholeDays(zone: String, columnType: String) throws {
        let database = try Self.partitionedDatabase("partitions_drop", zone: zone, columnType: columnType)
        let cutoff = columnType == "timestamptz" ? Self.cutoff : "(now() - interval '24 hours') AT TIME ZONE 'UTC'"
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(cutoff)")
        let live = try database.rowCount("auth_audit_log", where: "created_at >= \(cutoff)")
        let inWholeDays = try Self.wholeDays.reduce(0) { $0 + (try database.rowCount("audit_d\($1)")) }
        #expect(inWholeDays > 0 && live > 0)

        let test = Self.jobs(database, .drop)
        let outcome = try test.cleanupAuth()
        #expect(outcome.authAuditLog == expired, "every expired row counted, the dropped ones too")
        #expect(try database.rowCount("auth_audit_log", where: "created_at < \(cutoff)") == 0)
        #expect(try database.rowCount("auth_audit_log") == live, "no live row touched")
        let left = try Self.partitions(database)
        #expect(left == ["audit_d1", "audit_later", "audit_default"], "\(left.sorted())")
        let dropped = test.logs.entries.filter { $0.message == "partitions before the cutoff dropped whole" }
        #expect(dropped.count == 1 && dropped.first?.metadata["job.deleted"].map { "\($0)" } == "\(inWholeDays)", "\(test.logs.entries.map(\.message))")
    }

    @Test(
        "drop where no default partition is beside them: each is detached concurrently, then dropped as a table of its own; one whose concurrent detach was interrupted is finished"
    )
    func dropsConcurrently() throws {
        let database = try Self.partitionedDatabase("partitions_concurrent", withDefault: false)
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)")
        let live = try database.rowCount("auth_audit_log", where: "created_at >= \(Self.cutoff)")
        // An interrupted DETACH ... CONCURRENTLY: it waits for a transaction
        // that has used the table, and its statement_timeout cancels it.
        let holder = try database.connect()
        try holder.query("BEGIN")
        try holder.query("SELECT count(*) FROM auth_audit_log")
        let detacher = try database.connect()
        try detacher.query("SET statement_timeout = '300ms'")
        #expect(throws: PostgresError.self) { try detacher.query("ALTER TABLE auth_audit_log DETACH PARTITION audit_d7 CONCURRENTLY") }
        try holder.query("COMMIT")
        #expect(try database.integer("SELECT count(*) FROM pg_inherits WHERE inhdetachpending") == 1)

        let test = Self.jobs(database, .drop)
        let outcome = try test.cleanupAuth()
        #expect(outcome.authAuditLog == expired)
        #expect(try database.rowCount("auth_audit_log") == live)
        #expect(try Self.partitions(database) == ["audit_d1", "audit_later"], "\(test.logs.entries.map { "\($0.message) \($0.metadata)" })")
        #expect(try database.integer("SELECT count(*) FROM pg_class WHERE relname ~ '^audit_d([2-9]|10)'") == 0, "dropped, not left detached")
        #expect(test.logs.entries.filter { $0.message == "partitions before the cutoff dropped whole" }.count == Self.wholeDays.count)
    }

    @Test("rows: the same rows go, batch by batch, and every partition stays")
    func rowsKeepsPartitions() throws {
        let database = try Self.partitionedDatabase("partitions_rows")
        let before = try Self.partitions(database)
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)")
        let outcome = try Self.jobs(database, .rows).cleanupAuth()
        #expect(outcome.authAuditLog == expired)
        #expect(try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)") == 0)
        #expect(try Self.partitions(database) == before)
    }

    @Test(
        "detach: the days before the cutoff are detached and kept as tables with their rows, concurrently where no default partition is beside them",
        arguments: [true, false])
    func detaches(withDefault: Bool) throws {
        let database = try Self.partitionedDatabase("partitions_detach", withDefault: withDefault)
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)")
        let inWholeDays = try Self.wholeDays.reduce(0) { $0 + (try database.rowCount("audit_d\($1)")) }
        let test = Self.jobs(database, .detach)
        let outcome = try test.cleanupAuth()
        #expect(outcome.authAuditLog == expired)
        #expect(try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)") == 0)
        #expect(try Self.partitions(database) == Set(["audit_d1", "audit_later"] + (withDefault ? ["audit_default"] : [])))
        // Kept, whole, no longer attached.
        let kept = try Self.wholeDays.reduce(0) { $0 + (try database.rowCount("audit_d\($1)")) }
        #expect(kept == inWholeDays)
        #expect(try database.integer("SELECT count(*) FROM pg_class WHERE relname ~ '^audit_d([2-9]|10)$' AND relispartition") == 0)
        #expect(test.logs.entries.filter { $0.message.description.hasPrefix("partition before the cutoff detached") }.count == Self.wholeDays.count)
    }

    @Test("a dry run counts the rows of the partitions that would go, and removes nothing")
    func dryRun() throws {
        let database = try Self.partitionedDatabase("partitions_dry")
        let before = try Self.partitions(database)
        let total = try database.rowCount("auth_audit_log")
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)")
        let outcome = try Self.jobs(database, .drop).cleanupAuth(CleanupOptions(dryRun: true))
        #expect(outcome.authAuditLog == expired)
        #expect(try Self.partitions(database) == before && (try database.rowCount("auth_audit_log")) == total)
    }

    @Test(
        "a role that does not own the partitions empties them row by row, and check warns naming the grant; as their owner's member it drops them"
    )
    func roleWithoutOwnership() throws {
        let database = try Self.partitionedDatabase("partitions_role")
        try database.createWorkerRole("authsweep_partitions")
        try database.execute(
            """
            GRANT SELECT, DELETE ON ALL TABLES IN SCHEMA public TO authsweep_partitions;
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO authsweep_partitions;
            """)
        let before = try Self.partitions(database)
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)")
        let environment: [String: String?] = [
            "DATABASE_URL": database.connectionString(user: "authsweep_partitions"), "AUTHSWEEP_AUTH_RETENTION_HOURS": "24",
            "AUTHSWEEP_LOGIN_ATTEMPTS_ENABLED": "false", "AUTHSWEEP_USER_SESSIONS_ENABLED": "false",
        ]
        let check = try authsweep(["check"], database: nil, environment: environment)
        #expect(
            check.stdout.contains("WARNING") && check.stdout.contains("does not own all its partitions")
                && check.stdout.contains("GRANT postgres TO authsweep_partitions;"), "\(check.stdout)")
        let run = try authsweep(["cleanup-auth", "--json"], database: nil, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#""authAuditLog":\#(expired)"#), "\(run.stdout)")
        #expect(try Self.partitions(database) == before, "nothing dropped by a role that may not")

        try database.execute("GRANT postgres TO authsweep_partitions")
        defer { try? database.execute("REVOKE postgres FROM authsweep_partitions") }
        try database.execute("INSERT INTO auth_audit_log (event, created_at) VALUES ('late', now() - interval '9 days')")
        let granted = try authsweep(["check"], database: nil, environment: environment)
        #expect(granted.stdout.contains("lying wholly before the cutoff are dropped whole"), "\(granted.stdout)")
        let again = try authsweep(["cleanup-auth", "--json"], database: nil, environment: environment)
        #expect(again.status == 0 && again.stdout.contains(#""authAuditLog":1"#), "\(again.stdout)\(again.stderr)")
        #expect(try Self.partitions(database) == ["audit_d1", "audit_later", "audit_default"])
    }

    @Test("pg_partman's own daily partition set: its partitions before the cutoff go whole, its default partition and its premade days stay")
    func partmanPartitionSet() throws {
        let database = try TestDatabase.empty("partitions_partman")
        try database.resetSchema()
        try database.execute(
            """
            CREATE SCHEMA partman;
            CREATE EXTENSION pg_partman SCHEMA partman;
            DROP TABLE auth_audit_log;
            CREATE TABLE auth_audit_log (
                id bigserial, user_id text, event text NOT NULL, ip_address text,
                created_at timestamptz NOT NULL DEFAULT now()
            ) PARTITION BY RANGE (created_at);
            SELECT partman.create_parent('public.auth_audit_log', 'created_at', 'native', 'daily',
                                         p_start_partition := (now() - interval '10 days')::date::text);
            INSERT INTO auth_audit_log (event, created_at)
            SELECT 'e', now() + g * interval '20 minutes' FROM generate_series(-12 * 72, 2 * 72) g;
            """)
        let before = try Self.partitions(database)
        let expired = try database.rowCount("auth_audit_log", where: "created_at < \(Self.cutoff)")
        let live = try database.rowCount("auth_audit_log", where: "created_at >= \(Self.cutoff)")
        let outcome = try Self.jobs(database, .drop).cleanupAuth()
        #expect(outcome.authAuditLog == expired)
        #expect(try database.rowCount("auth_audit_log") == live)
        let left = try Self.partitions(database)
        let gone = before.subtracting(left)
        // The partitions of the days that ended at least 24 hours ago: 8 or 9 of the 10 past days, by the hour.
        #expect((8...10).contains(gone.count), "\(gone.sorted())")
        #expect(left.contains("auth_audit_log_default") && left.isSubset(of: before))
        // What is left holds no partition whose rows are all expired by its bound.
        #expect(try database.integer("SELECT count(*) FROM auth_audit_log WHERE created_at < now() - interval '48 hours'") == 0)
        // pg_partman's maintenance still runs on the set.
        try database.execute("SELECT partman.run_maintenance('public.auth_audit_log')")
    }
}
