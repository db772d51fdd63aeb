import Postgres

/// What a cleanup reads between its batches to pace itself, in one
/// statement: the application's backends at work, and how far the
/// streaming standbys have replayed.
struct DatabaseLoad {
    /// Other client backends running a statement now (any database of the
    /// cluster: they share its processors and disks), as far as the role
    /// can see them.
    let activeBackends: Int
    /// Backends waiting for a lock now.
    let lockWaits: Int
    /// The primary's WAL position now.
    let walPosition: UInt64
    /// Streaming standbys (physical replication; logical subscribers are
    /// not replicas) connected now.
    let standbys: Int
    /// The least position they report replayed; nil when there is none, or
    /// when the role may not see it (`pg_read_all_stats`).
    let replayedPosition: UInt64?
    /// The largest replay lag PostgreSQL itself measured; nil likewise.
    let reportedLag: Duration?
    /// Whether the role may see the standbys' positions.
    let seesStandbys: Bool
}

extension CleanupStore {
    /// Reads the `DatabaseLoad` now.
    func databaseLoad() throws(JobError) -> DatabaseLoad {
        let result = try run(
            """
            SELECT (SELECT count(*) FROM pg_catalog.pg_stat_activity a
                    WHERE a.backend_type = 'client backend' AND a.state = 'active' AND a.pid <> pg_catalog.pg_backend_pid()),
                   (SELECT count(*) FROM pg_catalog.pg_stat_activity a WHERE a.wait_event_type = 'Lock'),
                   (pg_catalog.pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint,
                   count(*),
                   (min(r.replay_lsn) - '0/0'::pg_lsn)::bigint,
                   (extract(epoch FROM max(r.replay_lag)) * 1000)::bigint,
                   pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE')
            FROM pg_catalog.pg_stat_replication r
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_catalog.pg_replication_slots s WHERE s.active_pid = r.pid AND s.slot_type = 'logical')
            """
        )
        func integer(_ column: Int) throws(JobError) -> Int { try TransactionRunner.integer(result, column: column) }
        let sees = result.value(column: 6) == "t"
        return DatabaseLoad(
            activeBackends: try integer(0),
            lockWaits: try integer(1),
            walPosition: UInt64(max(0, try integer(2))),
            standbys: try integer(3),
            replayedPosition: sees ? result.value(column: 4).flatMap(UInt64.init) : nil,
            reportedLag: sees ? result.value(column: 5).flatMap(Int.init).map { .milliseconds($0) } : nil,
            seesStandbys: sees
        )
    }
}
