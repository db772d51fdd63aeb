import Logging
import Postgres

/// Before a table's deletion pass: its partitions lying wholly before the
/// cutoff (`WholePartition`) are removed whole, as `cleanup.partitions`
/// says, so that only the partition holding the cutoff (and any default
/// partition) is left to delete batch by batch. Their rows are counted as
/// deleted. A partition that cannot go whole (the role does not own it, a
/// lock not granted in time, a foreign key) is left to the deletion pass,
/// which empties it like any table: slower, never wrong.
struct PartitionRemoval {
    let target: DeletionTarget
    let mode: CleanupPartitions
    let store: CleanupStore
    /// Renewed in each removal's transaction, as by every batch.
    let lease: CleanupLease
    let deadline: RunDeadline
    let logger: Logger

    /// Partitions dropped in one transaction: one brief `ACCESS EXCLUSIVE`
    /// lock on their parent for all of them (the application's statements
    /// on the table wait for it), while counting them takes no more than a
    /// few seconds.
    static let partitionsPerDrop = 16

    /// - Returns: the rows the removed partitions held.
    func run() throws(JobError) -> Int {
        guard mode != .rows, let cutoff = target.partitionCutoff else { return 0 }
        let found = try store.wholePartitions(target, cutoff: cutoff)
        guard !found.isEmpty else { return 0 }
        // An interrupted concurrent detach first: until it is finished no
        // other partition of its parent can be detached concurrently.
        let allowed = found.filter { $0.mayRemove && $0.detachPending } + found.filter { $0.mayRemove && !$0.detachPending }
        if allowed.count < found.count {
            logger.info(
                "partitions before the cutoff are emptied row by row: the role does not own them (authsweep check names the grant)",
                metadata: ["job.table": "\(target.name)", "job.partitions": "\(found.count - allowed.count)"])
        }
        var removed = 0
        do throws(JobError) {
            switch mode {
            case .drop:
                // Detached first where it can be done concurrently: then
                // the application never waits, not even for the DROP.
                let concurrently = try store.detachesConcurrently()
                let alone = allowed.filter { concurrently && !$0.parentHasDefault }
                let together = allowed.filter { !concurrently || $0.parentHasDefault }
                for partition in alone where !deadline.hasPassed {
                    removed += try detachAndDrop(partition)
                }
                for start in stride(from: 0, to: together.count, by: Self.partitionsPerDrop) where !deadline.hasPassed {
                    removed += try drop(Array(together[start..<min(start + Self.partitionsPerDrop, together.count)]), cutoff: cutoff)
                }
            case .detach:
                let concurrently = try store.detachesConcurrently()
                for partition in allowed where !deadline.hasPassed {
                    removed += try detach(partition, concurrently: concurrently && !partition.parentHasDefault, cutoff: cutoff)
                }
            case .rows:
                break
            }
        } catch .database(let error) where !JobError.database(error).isConnectionFailure {
            logger.warning(
                "a partition before the cutoff could not be removed whole; its rows are deleted batch by batch",
                metadata: ["job.table": "\(target.name)", "error": "\(JobError.database(error).logDescription)"])
        }
        return removed
    }

    /// Counts and drops `group` in one transaction. The `SHARE` lock keeps
    /// rows from going in or out while they are counted (the application's
    /// reads go on), and under it the bounds are proven once more.
    private func drop(_ group: [WholePartition], cutoff: DeletionTarget.PartitionCutoff) throws(JobError) -> Int {
        try store.inTransaction { () throws(JobError) in
            try lease.renew(store)
            // One core for the counting: the application keeps the others.
            try store.run("SET LOCAL max_parallel_workers_per_gather = 0")
            try store.run("LOCK TABLE \(SQLQuery.joined(group.map(\.qualified), separator: ", ")) IN SHARE MODE")
            let still = Set(try store.wholePartitions(target, cutoff: cutoff).map(\.name))
            let going = group.filter { still.contains($0.name) }
            guard !going.isEmpty else { return 0 }
            var rows = 0
            for partition in going { rows += try store.rowCount(of: partition) }
            try store.run("DROP TABLE \(SQLQuery.joined(going.map(\.qualified), separator: ", "))")
            logger.info(
                "partitions before the cutoff dropped whole",
                metadata: ["job.table": "\(target.name)", "job.partitions": "\(going.map(\.name).joined(separator: ", "))", "job.deleted": "\(rows)"])
            return rows
        }
    }

    /// Detaches one partition concurrently, then counts and drops it as
    /// the table of its own it has become: the application's statements on
    /// the partitioned table wait for neither. Every row is checked against
    /// the rule as it is counted; should one not match (which its bound
    /// rules out), the table is kept, detached, and the run fails saying so.
    private func detachAndDrop(_ partition: WholePartition) throws(JobError) -> Int {
        try store.inTransaction { () throws(JobError) in try lease.renew(store) }
        try store.runner.runOutsideTransaction(partition.concurrentDetach)
        let rows = try store.inTransaction { () throws(JobError) in
            let counts = try store.rowCounts(of: partition, matching: target.condition)
            guard counts.matching == counts.all else {
                throw JobError.schema(
                    "partition \(partition.name) of \(target.table.quoted), detached to be dropped, holds \(counts.all - counts.matching) rows the rule keeps: it is kept as a table of its own; check its bounds and attach it again"
                )
            }
            try store.run("DROP TABLE \(partition.qualified)")
            return counts.all
        }
        logger.info(
            "partitions before the cutoff dropped whole",
            metadata: ["job.table": "\(target.name)", "job.partitions": "\(partition.name)", "job.deleted": "\(rows)"])
        return rows
    }

    /// Detaches one partition and counts what it holds. Concurrently where
    /// PostgreSQL can (14 and later, no default partition beside it): the
    /// application's statements on the table never wait for it; that form
    /// runs outside a transaction, so the lease is renewed just before.
    private func detach(_ partition: WholePartition, concurrently: Bool, cutoff: DeletionTarget.PartitionCutoff) throws(JobError) -> Int {
        let rows: Int
        if concurrently {
            try store.inTransaction { () throws(JobError) in try lease.renew(store) }
            try store.runner.runOutsideTransaction(partition.concurrentDetach)
            rows = try store.rowCount(of: partition)
        } else {
            let detached = try store.inTransaction { () throws(JobError) -> Int? in
                try lease.renew(store)
                try store.run("LOCK TABLE \(partition.qualified) IN SHARE MODE")
                guard try store.wholePartitions(target, cutoff: cutoff).contains(where: { $0.name == partition.name }) else { return nil }
                let rows = try store.rowCount(of: partition)
                try store.run("ALTER TABLE \(partition.qualifiedParent) DETACH PARTITION \(partition.qualified)")
                return rows
            }
            guard let detached else { return 0 }
            rows = detached
        }
        logger.info(
            "partition before the cutoff detached; it is kept as a table of its own",
            metadata: ["job.table": "\(target.name)", "job.partition": "\(partition.name)", "job.deleted": "\(rows)"])
        return rows
    }
}
