import Postgres

extension InstallationCheck {
    /// Where the connection lands: a standby cannot run a cleanup, and a
    /// transaction-mode pooler shares server connections between clients
    /// (what that means for authsweep is in the finding).
    func topologyFindings(_ runner: TransactionRunner) throws(JobError) -> [Finding] {
        var findings: [Finding] = []
        if try runner.run("SELECT pg_is_in_recovery()").value() == "t" {
            findings.append(
                Finding(
                    ok: false, message: "the server is a standby (read-only): every cleanup would fail",
                    fix: "point DATABASE_URL at the primary, or list every host with target_session_attrs=read-write"))
        } else {
            findings.append(Finding(ok: true, message: "the server accepts writes (a primary)", fix: nil))
            if let replicas = try replicaLagFinding(runner) { findings.append(replicas) }
        }
        if try sharesServerConnections(runner) {
            findings.append(
                Finding(
                    ok: true,
                    message:
                        "a transaction-mode pooler is in between (two client connections were served by one server connection): supported; timeouts are set per transaction and runs are kept one at a time by their lease, and a run killed between batches keeps its lease until cleanup.lease_seconds pass",
                    fix: nil))
        }
        return findings
    }

    /// Whether `cleanup.max_replica_lag_ms` can hold: the standbys' replay
    /// is visible only to a role with `pg_read_all_stats` (or `pg_monitor`);
    /// without it the bound is ignored: a warning where a standby streams
    /// now, never an error.
    func replicaLagFinding(_ runner: TransactionRunner) throws(JobError) -> Finding? {
        let bound = configuration.maxReplicaLagMilliseconds
        guard bound > 0 else { return nil }
        let load = try CleanupStore(runner: runner).databaseLoad()
        let streaming = "\(load.standbys) streaming standby\(load.standbys == 1 ? "" : "s") now"
        if load.standbys == 0, !load.seesStandbys {
            return Finding(
                ok: true,
                message:
                    "no streaming standby now; should one be added, the role needs pg_read_all_stats (or pg_monitor) for cleanup.max_replica_lag_ms (\(bound) ms) to hold",
                fix: nil)
        }
        guard load.seesStandbys else {
            return Finding(
                level: .warning,
                message:
                    "the role may not see the standbys' replay, so cleanup.max_replica_lag_ms (\(bound) ms) is ignored (\(streaming)); a cleanup may leave a standby far behind",
                fix: "GRANT pg_read_all_stats TO the role (or pg_monitor), or set cleanup.max_replica_lag_ms = 0 to say so")
        }
        return Finding(
            ok: true, message: "a cleanup waits while a standby's replay lags more than cleanup.max_replica_lag_ms (\(bound) ms; \(streaming))",
            fix: nil)
    }

    /// Whether two client connections get the same server backend in turn,
    /// which only a pooler that hands server connections out per
    /// transaction does: the first client's statement ends, its server
    /// connection goes back to the pool, and the next client is given it.
    func sharesServerConnections(_ runner: TransactionRunner) throws(JobError) -> Bool {
        let settings = DatabaseSettings(configuration: configuration)
        for _ in 0..<3 {
            let first = try runner.run("SELECT pg_backend_pid()").value()
            let other = try settings.connect()
            let second = try TransactionRunner(
                connection: other, catalog: SchemaCatalog(connection: other, transactionSettings: settings.transactionSettings),
                transactionSettings: settings.transactionSettings
            )
            .run("SELECT pg_backend_pid()").value()
            if first == second { return true }
        }
        return false
    }
}
