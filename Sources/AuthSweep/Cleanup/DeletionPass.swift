import Logging
import Postgres

/// One table's deletion, batch after batch, each batch its own short
/// statement and transaction, until nothing is left or the time budget is
/// spent.
struct DeletionPass {
    let target: DeletionTarget
    let store: CleanupStore
    /// Renewed by every batch, in the batch's transaction.
    let lease: CleanupLease
    let batchSize: Int
    let scan: DeletionScan
    /// Stop between batches once this is past; `nil` for no limit.
    let deadline: RunDeadline
    /// Waits before each batch as the pace and the standbys ask, and says
    /// how long a statement should take (in the fast pace 40 ms, well under
    /// the 100 ms that counts as a long statement).
    let pacer: BatchPacer
    let logger: Logger

    /// - Parameter onProgress: sees the running total after each batch.
    func run(onProgress: (Int) -> Void) throws(JobError) -> (deleted: Int, hasMore: Bool) {
        let table = try store.pageCount(target)
        let sweep: Bool
        switch scan {
        case _ where !table.plain: sweep = false  // some rows are not in the table's own pages
        case .sweep: sweep = true
        case .index: sweep = false
        case .automatic: sweep = try sweepIsCheaper(tableRows: table.rows)
        }
        logger.debug("deleting", metadata: ["job.table": "\(target.name)", "job.scan": "\(sweep ? "sweep" : "index")"])
        return try sweep ? runSweep(table, onProgress) : runIndexBatches(onProgress)
    }

    /// One deleting statement in a transaction of its own, which first
    /// renews the lease (so nothing is deleted by a run that lost it). The
    /// fast pace commits without waiting for the WAL flush (see
    /// `inTransaction`); the gentle one flushes its own WAL as it commits,
    /// so that an application's commit never waits for a backlog of the
    /// cleanup's (which is what made its slowest requests slow: bench S6).
    /// `lockWait` shortens `lock_timeout` for it.
    private func leased<Result>(lockWait: Duration? = nil, _ body: () throws(JobError) -> Result) throws(JobError) -> Result {
        try store.inTransaction(asynchronousCommit: pacer.pace == .fast, lockWait: lockWait) { () throws(JobError) in
            try lease.renew(store)
            return try body()
        }
    }

    /// A sweep reads every page once, in order; index batches read only
    /// the removable rows, but each twice (to pick, then to delete) and in
    /// index order. Measured on 2,000,000 cached sessions (`cleanup-sessions`,
    /// wall time, index vs sweep): 1 in 1,000 removable 54 vs 247 ms, 1 in
    /// 200 232 vs 313 ms, 1 in 50 440 vs 412 ms, 1 in 2 1,818 vs 598 ms.
    /// With no statistics yet, the planner's own choice of scan decides.
    static let sweepFraction = 0.02

    private func sweepIsCheaper(tableRows: Double?) throws(JobError) -> Bool {
        let estimate = try store.deletionEstimate(target)
        if estimate.sequentialScan { return true }
        guard let tableRows else { return false }
        return estimate.rows >= tableRows * Self.sweepFraction
    }

    /// How long a row-by-row retry waits for each row (or `lock_timeout`,
    /// if shorter): enough for an application's own short transaction on it
    /// to end, and short enough that rows held for long cost little each.
    static let rowLockWait = Duration.milliseconds(50)

    /// Runs one batch statement. The statement itself leaves the rows that
    /// transactions still in progress hold (see `RowPositions.heldByOthers`),
    /// without waiting, and returns where they are: they are added to
    /// `locked`, the rest is deleted, and the run answers `hasMore`. When the
    /// statement waited `lock_timeout` all the same (a holder its snapshot
    /// cannot show), the same rows are deleted one at a time instead, each
    /// waiting at most `rowLockWait`, and each row that times out again is
    /// left. Locking rows to skip them (`FOR UPDATE SKIP LOCKED`) would need
    /// UPDATE privilege, which the cleanups do without. A batch that a row
    /// written meanwhile still refers to (a foreign key the target's
    /// dependents do not cover) goes the same way: row by row, that row left.
    private func batch(
        _ locked: inout RowPositions, statement: () throws(JobError) -> (deleted: Int, held: [String]), rows: () throws(JobError) -> [String]
    ) throws(JobError) -> Int {
        do throws(JobError) {
            let outcome = try statement()
            leave(outcome.held, in: &locked)
            return outcome.deleted
        } catch .database(let error) where Self.leavesRows(error) {
            var deleted = 0
            for position in try rows() {
                do throws(JobError) {
                    deleted += try leased(lockWait: Self.rowLockWait) { () throws(JobError) in try store.deleteRow(target, at: position) }
                } catch .database(let error) where Self.leavesRows(error) {
                    leave([position], in: &locked)
                }
            }
            return deleted
        }
    }

    /// A lock not granted in time, or a row still referred to.
    private static func leavesRows(_ error: PostgresError) -> Bool {
        error.sqlState == .lockNotAvailable || error.sqlState == .foreignKeyViolation
    }

    private func leave(_ positions: [String], in locked: inout RowPositions) {
        guard !positions.isEmpty else { return }
        positions.forEach { locked.insert($0) }
        logger.warning(
            "a row held locked by another transaction is left for the next run (or one that a row written meanwhile refers to)",
            metadata: ["job.table": "\(target.name)", "job.rows_left_locked": "\(locked.positions.count)"])
    }

    private func logBatch(_ batch: Int, total: Int) {
        logger.debug("batch deleted", metadata: ["job.table": "\(target.name)", "job.batch": "\(batch)", "job.deleted": "\(total)"])
    }

    /// Few removable rows among many: each batch picks up to `batchSize` of
    /// them through the index and deletes them; ends on a short batch.
    /// In the gentle pace the batch shrinks until its statement takes
    /// `pacer.statementTime`.
    private func runIndexBatches(_ onProgress: (Int) -> Void) throws(JobError) -> (deleted: Int, hasMore: Bool) {
        var deleted = 0
        var locked = RowPositions()
        var limit = batchSize
        while true {
            guard try pacer.beforeBatch() else { return (deleted, try store.hasRows(target)) }
            var picked = 0
            let statementStarted = ContinuousClock.now
            let removed = try batch(
                &locked,
                statement: { [locked, limit] () throws(JobError) in
                    let batch = try leased { () throws(JobError) in try store.deleteBatch(target, limit: limit, excluding: locked) }
                    picked = batch.picked
                    return (batch.deleted, batch.held)
                },
                rows: { [locked, limit] () throws(JobError) in
                    let rows = try store.pickBatch(target, limit: limit, excluding: locked)
                    picked = rows.count
                    return rows
                })
            let took = statementStarted.duration(to: .now)
            pacer.batchEnded(took: took, rows: removed)
            deleted += removed
            onProgress(deleted)
            logBatch(removed, total: deleted)
            if picked < limit { return (deleted, locked.isEmpty ? false : try store.hasRows(target)) }
            if deadline.hasPassed { return (deleted, try store.hasRows(target)) }
            if pacer.pace == .gentle {
                limit = took > pacer.statementTime ? max(1, Int(Double(limit) * (pacer.statementTime / took))) : min(batchSize, limit * 2)
            }
        }
    }

    /// Many removable rows: the pages are read once, in order, in ranges
    /// sized from what the last range held (about `batchSize` removable rows,
    /// at most `sweepStatementTime`, at most twice the last range). Pages
    /// the table grows by during the sweep are swept too.
    private func runSweep(_ table: CleanupStore.TablePages, _ onProgress: (Int) -> Void) throws(JobError) -> (deleted: Int, hasMore: Bool) {
        var endPage = table.pages
        var span = table.rowsPerPage.map { max(1, Int(Double(batchSize) / $0)) } ?? 1
        var page = 0
        var deleted = 0
        var locked = RowPositions()
        while true {
            if page >= endPage {
                let pages = try store.pageCount(target).pages
                if pages <= endPage { return (deleted, locked.isEmpty ? false : try store.hasRows(target)) }
                endPage = pages
            }
            guard try pacer.beforeBatch() else { return (deleted, try store.hasRows(target, fromPage: page)) }
            let statementStarted = ContinuousClock.now
            let removed = try batch(
                &locked,
                statement: { [page, span, locked] () throws(JobError) in
                    try leased { () throws(JobError) in try store.deletePages(target, from: page, to: page + span, excluding: locked) }
                },
                rows: { [page, span, locked] () throws(JobError) in
                    try store.pickPages(target, from: page, to: page + span, excluding: locked)
                })
            let took = statementStarted.duration(to: .now)
            pacer.batchEnded(took: took, rows: removed)
            page += span
            deleted += removed
            onProgress(deleted)
            logBatch(removed, total: deleted)
            if deadline.hasPassed { return (deleted, try store.hasRows(target, fromPage: page)) }
            var next = span * 2
            if removed > 0 { next = min(next, span * batchSize / removed) }
            if took > pacer.statementTime { next = min(next, Int(Double(span) * (pacer.statementTime / took))) }
            span = max(1, next)
        }
    }
}
