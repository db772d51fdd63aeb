import Logging
import Postgres

/// One run of a cleanup. It owns, once for every job: the lease (one run of
/// a kind at a time, across workers and the CLI, behind any pooler) and the
/// run record on the job's lease row, the deletion passes within
/// the time budget, the audit row of success or failure, the metrics and
/// the log line.
struct CleanupRun {
    let plan: CleanupPlan
    let configuration: Configuration
    let logger: Logger
    let observers: [any RunObserver]
    let options: CleanupOptions

    func perform(on database: DatabaseSession) throws(JobError) -> CleanupRun.Deletions {
        let started = ContinuousClock.now
        var result = CleanupRun.Deletions()
        var names: [CleanupTarget] = []
        do throws(JobError) {
            try database.withCleanupStore { store throws(JobError) in
                let targets = try plan.targets(store.catalog)
                names = targets.map(\.name)
                let audited = try plan.audited(store.catalog)
                if options.dryRun {
                    result.deleted = try targets.map { entry throws(JobError) in try store.count(entry.target) }
                    return
                }
                result.deleted = Array(repeating: 0, count: targets.count)
                let lease = CleanupLease(kind: plan.kind, duration: .seconds(configuration.leaseSeconds))
                guard try lease.acquire(store) else { throw .alreadyRunning(plan.kind) }
                defer { if store.runner.connection.isUsable { try? lease.release(store) } }
                result.runID = lease.holder
                observers.forEach { $0.runStarted(plan.kind, runID: lease.holder) }
                // The time budget counts the deletion, not the start ping.
                let deadline = RunDeadline(budget: options.timeBudget)
                do throws(JobError) {
                    try runPasses(targets.map(\.target), store: store, lease: lease, deadline: deadline, result: &result)
                    if audited { try auditSuccess(result, names: names, store: store, started: started) }
                    try lease.finish(store, result: .success, deleted: result.total)
                } catch {
                    if audited { recordFailure(error, deletedSoFar: result.deleted.first ?? 0, store: store, started: started) }
                    if store.runner.connection.isUsable { try? lease.finish(store, result: .error, deleted: result.total) }
                    observers.forEach { $0.runFailed(plan.kind, runID: lease.holder, error: error) }
                    throw error
                }
            }
        } catch {
            result.duration = started.duration(to: .now)
            // One refused for another's lease raises no alarm.
            if result.runID == nil, !options.dryRun, !error.isBusy { failedBeforeLease(error, on: database) }
            finish(result, names: names, error: error)
            throw error
        }
        result.duration = started.duration(to: .now)
        result.deletedByTarget = Dictionary(zip(names, result.deleted)) { first, _ in first }
        finish(result, names: names, error: nil)
        return result
    }

    /// Each target's deletion pass in turn, within the time budget.
    private func runPasses(
        _ targets: [DeletionTarget], store: CleanupStore, lease: CleanupLease, deadline: RunDeadline,
        result: inout CleanupRun.Deletions
    ) throws(JobError) {
        var stoppedByBudget = false
        for (index, target) in targets.enumerated() where !stoppedByBudget {
            let wholePartitions = try PartitionRemoval(
                target: target, mode: configuration.cleanupPartitions, store: store, lease: lease, deadline: deadline, logger: logger
            ).run()
            result.deleted[index] = wholePartitions
            if wholePartitions > 0 { options.progress?(target.name, wholePartitions) }
            let pass = try DeletionPass(
                target: target,
                store: store,
                lease: lease,
                batchSize: configuration.batchSize,
                scan: configuration.deletionScan,
                deadline: deadline,
                pacer: BatchPacer(
                    pace: configuration.cleanupPace,
                    maxReplicaLag: configuration.maxReplicaLagMilliseconds == 0 ? nil : .milliseconds(configuration.maxReplicaLagMilliseconds),
                    store: store, lease: lease, deadline: deadline, logger: logger),
                logger: logger
            ).run { deleted in
                // So far, for the failure's log line and audit row should the pass fail.
                result.deleted[index] = wholePartitions + deleted
                options.progress?(target.name, wholePartitions + deleted)
            }
            result.deleted[index] = wholePartitions + pass.deleted
            result.hasMore = result.hasMore || pass.hasMore
            // Rows left because the application holds them do not stop the
            // next table's pass; the time budget spent does.
            stoppedByBudget = pass.hasMore && deadline.hasPassed
        }
    }

    /// The audit row of a successful run.
    private func auditSuccess(
        _ result: CleanupRun.Deletions, names: [CleanupTarget], store: CleanupStore, started: ContinuousClock.Instant
    ) throws(JobError) {
        // deletedCount is the sessions' (the first target's), as the answer's is.
        var details: [(key: String, value: JSONValue)] = [
            ("deletedCount", .integer(result.deleted.first ?? 0)),
            ("hasMore", .bool(result.hasMore)),
            ("durationMs", .integer(started.duration(to: .now).milliseconds)),
        ]
        if let index = names.firstIndex(of: .verificationTokens) {
            details.insert(("deletedVerificationTokens", .integer(result.deleted[index])), at: 1)
        }
        try audit(store, action: "SESSION_CLEANUP", details: details)
    }

    /// A run that failed before it held its lease (no connection, a missing
    /// table, a privilege) alarms too, under a fresh id and with no start
    /// ping; where the database answers, the run record says so too (best effort).
    private func failedBeforeLease(_ error: JobError, on database: DatabaseSession) {
        let runID = UUIDString.random()
        observers.forEach { $0.runFailed(plan.kind, runID: runID, error: error) }
        guard !error.isConnectionFailure else { return }
        try? database.withCleanupStore { store throws(JobError) in
            try CleanupLease(kind: plan.kind, duration: .seconds(configuration.leaseSeconds)).recordFailureBeforeLease(store)
        }
    }

    /// The observers' count and the log line of a finished run.
    private func finish(_ result: CleanupRun.Deletions, names: [CleanupTarget], error: JobError?) {
        let outcome: RunRecordResult =
            switch error {
            case nil: .success
            case .alreadyRunning?: .busy
            default: .error
            }
        if !options.dryRun {
            observers.forEach { $0.runEnded(plan.kind, result: outcome, deleted: result.total, duration: result.duration) }
        }
        let message: Logger.Message =
            switch outcome {
            case .success: "cleanup finished"
            case .busy: "cleanup already running elsewhere"
            case .error: "cleanup failed"
            }
        logger.log(
            level: outcome == .error ? .error : .info, message,
            metadata: {
                var metadata: Logger.Metadata = [
                    "job.name": "\(plan.kind.rawValue)",
                    "job.result": "\(outcome.rawValue)",
                    "job.dry_run": "\(options.dryRun)",
                    "job.deleted": "\(result.total)",
                    "job.has_more": "\(result.hasMore)",
                    "job.duration_ms": "\(result.duration.milliseconds)",
                ]
                if result.deleted.count > 1 {
                    for (name, deleted) in zip(names, result.deleted) { metadata["job.deleted.\(name.rawValue)"] = "\(deleted)" }
                }
                if let error { metadata["error"] = "\(error.logDescription)" }
                return metadata
            }())
    }

    private func audit(_ store: CleanupStore, action: String, details: [(key: String, value: JSONValue)]) throws(JobError) {
        try AuditLogWriter(runner: store.runner, tables: configuration.tables).record(action: action, userID: nil, details: .object(details))
    }

    /// Best effort: when the connection itself is gone, the log line is all.
    private func recordFailure(_ error: JobError, deletedSoFar: Int, store: CleanupStore, started: ContinuousClock.Instant) {
        guard store.runner.connection.isUsable else { return }
        do {
            try audit(
                store, action: "SESSION_CLEANUP_ERROR",
                details: [
                    ("error", .string(error.description)),
                    ("deletedCount", .integer(deletedSoFar)),
                    ("durationMs", .integer(started.duration(to: .now).milliseconds)),
                ])
        } catch {
            logger.warning("could not record the failed cleanup in the audit log", metadata: ["error": "\(error.logDescription)"])
        }
    }
}

extension CleanupRun {
    /// The tally of one run, before the job makes its outcome of it: rows
    /// deleted from each target (for a dry run, rows that would be), in the
    /// plan's order.
    struct Deletions {
        var deleted: [Int] = []
        /// The same counts by target.
        var deletedByTarget: [CleanupTarget: Int] = [:]
        /// The run's id (its lease holder), when it held the lease: what the
        /// monitor's pings carry as `rid`.
        var runID: String?
        /// The run stopped at its time budget with rows left for the next one.
        var hasMore = false
        var duration = Duration.zero

        var total: Int { deleted.reduce(0, +) }
    }
}
