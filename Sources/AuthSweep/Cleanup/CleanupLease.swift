import Postgres

/// One run of a kind at a time, across every worker and the CLI, behind any
/// pooler: a lease row per job in `authsweep_jobs`.
///
/// A session-level advisory lock cannot do this behind a transaction-mode
/// pooler (PgBouncer, Supabase's, RDS Proxy): it is taken on one server
/// connection and released on another, or stays on one that is shared. A
/// lease is a row, so it means the same on any server connection:
///
/// - taken by one statement that succeeds only when the row is free, its
///   lease has expired, the backend that last renewed it is gone, or it was
///   renewed on another server instance (a restart or a failover);
/// - renewed by every batch, in the batch's own transaction: the batch
///   deletes nothing unless the run still holds the lease, and the row lock
///   the renewal takes keeps any other run from taking it meanwhile;
/// - released at the end of the run, whatever its result.
///
/// A run that is killed cannot release it. Without a pooler its backend
/// exits with it, and the next run takes the lease at once; behind a pooler
/// the backend is shared and lives on, and the lease frees itself when it
/// expires (`cleanup.lease_seconds` after the last batch).
struct CleanupLease {
    let kind: CleanupKind
    /// This run's id.
    let holder = UUIDString.random()
    let duration: Duration

    private var seconds: Int { Int(duration.components.seconds) }

    /// The table, as `deploy/schema.sql` and `deploy/authsweep-tables.sql`
    /// create it (a test keeps the three the same).
    static let createTableSQL = """
        CREATE TABLE IF NOT EXISTS authsweep_jobs (
          job               text PRIMARY KEY,
          holder            uuid,
          holder_pid        integer,
          lease_expires_at  timestamptz,
          server_started_at timestamptz,
          last_run_at       timestamptz,
          last_result       text,
          last_success_at   timestamptz,
          last_deleted      bigint
        )
        """

    /// Takes the lease if no other run holds it; never waits. Without the
    /// table, creates it when the role may (an installation whose role owns
    /// its schema), else says how to.
    func acquire(_ store: CleanupStore) throws(JobError) -> Bool {
        do {
            return try tryAcquire(store)
        } catch .database(let error) where error.sqlState == .undefinedTable {
            // Another process may create it at the same moment (and win):
            // whether this CREATE fails or not, try once more.
            _ = try? store.run(SQLQuery(unsafeSQL: Self.createTableSQL))
            do {
                return try tryAcquire(store)
            } catch .database(let error) where error.sqlState == .undefinedTable {
                throw Self.missingTable
            }
        }
    }

    private func tryAcquire(_ store: CleanupStore) throws(JobError) -> Bool {
        let table = try store.catalog.quote(RunRecordTable.name)
        do {
            return try store.run(
                """
                INSERT INTO \(table) AS j (job, holder, holder_pid, lease_expires_at, server_started_at)
                VALUES (\(kind.rawValue), \(holder)::uuid, pg_backend_pid(), now() + make_interval(secs => \(seconds)::int), pg_postmaster_start_time())
                ON CONFLICT (job) DO UPDATE
                SET holder = EXCLUDED.holder, holder_pid = EXCLUDED.holder_pid,
                    lease_expires_at = EXCLUDED.lease_expires_at, server_started_at = EXCLUDED.server_started_at
                WHERE j.holder IS NULL
                   OR j.lease_expires_at <= now()
                   OR j.server_started_at IS DISTINCT FROM pg_postmaster_start_time()
                   OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = j.holder_pid)
                RETURNING 1
                """
            ).rows.count == 1
        } catch .database(let error) where error.sqlState == .lockNotAvailable {
            // The holder's batch has the row locked: it is running.
            return false
        }
    }

    /// Extends the lease; inside the caller's transaction, so what follows
    /// in it happens only while this run holds the lease.
    func renew(_ store: CleanupStore) throws(JobError) {
        let table = try store.catalog.quote(RunRecordTable.name)
        let renewed = try store.run(
            """
            UPDATE \(table)
            SET lease_expires_at = now() + make_interval(secs => \(seconds)::int), holder_pid = pg_backend_pid(),
                server_started_at = pg_postmaster_start_time()
            WHERE job = \(kind.rawValue) AND holder = \(holder)::uuid
            """
        ).affectedRows
        guard renewed == 1 else {
            throw .schema("\(kind.rawValue) lost its lease (\(RunRecordTable.name)): a batch took longer than cleanup.lease_seconds; the run stops")
        }
    }

    /// Frees the lease and records how the run ended, in one statement:
    /// the job's row is its run record (`authsweep status`, the metrics).
    func finish(_ store: CleanupStore, result: RunRecordResult, deleted: Int) throws(JobError) {
        let table = try store.catalog.quote(RunRecordTable.name)
        try store.run(
            """
            UPDATE \(table)
            SET holder = NULL, holder_pid = NULL, lease_expires_at = NULL,
                last_run_at = now(), last_result = \(result.rawValue), last_deleted = \(deleted)::bigint,
                last_success_at = CASE WHEN \(result.rawValue) = 'success' THEN now() ELSE last_success_at END
            WHERE job = \(kind.rawValue) AND holder = \(holder)::uuid
            """)
    }

    /// Records a run that failed before it could hold the lease (a missing
    /// table, a privilege) in the job's run record, leaving any lease alone:
    /// `status` and the last-run metric see it as the failure it was.
    func recordFailureBeforeLease(_ store: CleanupStore) throws(JobError) {
        let table = try store.catalog.quote(RunRecordTable.name)
        try store.run(
            """
            INSERT INTO \(table) AS j (job, last_run_at, last_result, last_deleted) VALUES (\(kind.rawValue), now(), 'error', 0)
            ON CONFLICT (job) DO UPDATE SET last_run_at = now(), last_result = 'error', last_deleted = 0
            """)
    }

    /// Frees the lease if this run still holds it.
    func release(_ store: CleanupStore) throws(JobError) {
        let table = try store.catalog.quote(RunRecordTable.name)
        try store.run(
            """
            UPDATE \(table) SET holder = NULL, holder_pid = NULL, lease_expires_at = NULL
            WHERE job = \(kind.rawValue) AND holder = \(holder)::uuid
            """)
    }

    static let missingTable = JobError.schema(
        "table \(RunRecordTable.name) does not exist and this role may not create it: it holds the lease that keeps cleanups one at a time; create it with deploy/authsweep-tables.sql"
    )
}
