import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Between the batches of a pass: holds the cleanup back while a streaming
/// standby's replay lags past `cleanup.max_replica_lag_ms`, and in the
/// gentle pace (`cleanup.pace`) sizes its statements and pauses by what it
/// measures, as gh-ost and pt-archiver throttle on load and replica lag.
final class BatchPacer {
    let pace: CleanupPace
    private let maxReplicaLag: Duration?
    private let store: CleanupStore
    private let lease: CleanupLease
    private let deadline: RunDeadline
    private let logger: Logger

    private var replayLag = ReplayLag()
    private var standbysSeen = false
    private var lastStandbyRead: ContinuousClock.Instant?
    private var warnedHidden = false
    private var lastBatch: (took: Duration, rows: Int)?
    private var gentlePause = GentlePause()

    init(pace: CleanupPace, maxReplicaLag: Duration?, store: CleanupStore, lease: CleanupLease, deadline: RunDeadline, logger: Logger) {
        self.pace = pace
        self.maxReplicaLag = maxReplicaLag
        self.store = store
        self.lease = lease
        self.deadline = deadline
        self.logger = logger
    }

    /// The longest one deleting statement should take.
    var statementTime: Duration {
        pace == .gentle ? GentlePause.statementTime : .milliseconds(40)
    }

    /// Waits as the pace and the standbys ask. False when the time budget
    /// ran out meanwhile: the pass stops there, with rows left.
    func beforeBatch() throws(JobError) -> Bool {
        if pace == .gentle, let lastBatch {
            let load = try store.databaseLoad()
            replayLag.record(load.walPosition, at: .now)
            let pause = gentlePause.next(after: lastBatch, activeBackends: load.activeBackends, lockWaits: load.lockWaits)
            logger.debug(
                "pausing",
                metadata: [
                    "job.pause_ms": "\(pause.milliseconds)", "job.pause_factor": "\(gentlePause.factor)",
                    "job.active_backends": "\(load.activeBackends)", "job.lock_waits": "\(load.lockWaits)",
                ])
            sleep(for: pause)
        }
        return try waitForStandbys()
    }

    /// What the batch just run took, and how many rows it deleted.
    func batchEnded(took: Duration, rows: Int) {
        lastBatch = (took, rows)
    }

    /// While a standby's replay lags past the bound: renews the lease
    /// (which writes a little WAL, so that the standbys report where their
    /// replay is) and looks again every 100 ms. Without standbys this reads
    /// at most once a second.
    private func waitForStandbys() throws(JobError) -> Bool {
        guard let maxReplicaLag else { return true }
        if !standbysSeen, let lastStandbyRead, lastStandbyRead.duration(to: .now) < .seconds(1) { return true }
        var waitingSince: ContinuousClock.Instant?
        while true {
            let load = try store.databaseLoad()
            let now = ContinuousClock.now
            lastStandbyRead = now
            replayLag.record(load.walPosition, at: now)
            standbysSeen = load.standbys > 0
            guard standbysSeen, let replayed = load.replayedPosition else {
                if standbysSeen, !load.seesStandbys { warnHidden() }
                return true
            }
            let lag = replayLag.lag(replayed: replayed, reported: load.reportedLag, now: now)
            guard lag > maxReplicaLag else {
                if let waitingSince {
                    logger.info("a standby caught up; the cleanup goes on", metadata: ["job.waited_ms": "\(waitingSince.duration(to: now).milliseconds)"])
                }
                return true
            }
            if waitingSince == nil {
                waitingSince = now
                logger.warning(
                    "a standby's replay lags past cleanup.max_replica_lag_ms; the cleanup waits",
                    metadata: ["job.replica_lag_ms": "\(lag.milliseconds)", "job.max_replica_lag_ms": "\(maxReplicaLag.milliseconds)"])
            }
            if deadline.hasPassed { return false }
            try store.inTransaction { () throws(JobError) in try lease.renew(store) }
            sleep(for: .milliseconds(100))
        }
    }

    private func warnHidden() {
        guard !warnedHidden else { return }
        warnedHidden = true
        logger.warning(
            "cleanup.max_replica_lag_ms is not applied: the role may not see the standbys' replay (GRANT pg_read_all_stats or pg_monitor to it)")
    }

    /// Sleeps, but not past the time budget.
    private func sleep(for duration: Duration) {
        var wait = deadline.capped(duration)
        while wait > .zero {
            let step = min(wait, .milliseconds(500))
            usleep(useconds_t(step / .microseconds(1)))
            wait -= step
        }
    }
}

/// The gentle pace's pause after a batch: as long as the batch took while
/// the database is quiet; doubled after each batch that finds it busy (up
/// to `mostPause` times the batch), halved after each quiet one. Busy: other
/// backends are running a statement or waiting for a lock, or the batch
/// took longer per row than the run's best (`slowdown`), the run's own
/// measure of an idle database.
struct GentlePause {
    /// A deleting statement aims at this duration at most: shorter ones
    /// left the slowest requests of an application committing beside the
    /// cleanup less slow (bench S6), much shorter ones made the run crawl.
    static let statementTime = Duration.milliseconds(5)
    /// Pause bounds, as multiples of the batch's own time: at least as long
    /// as the batch, so the cleanup works half the time at most.
    static let leastPause = 1
    static let mostPause = 8
    /// Statements this much slower per row than their best mean a busy database.
    static let slowdown = 1.5
    /// Batches with fewer rows say little of the time per row.
    static let leastRowsMeasured = 20

    /// The pause, as a multiple of the batch's time.
    private(set) var factor = Self.leastPause
    private var bestTimePerRow: Duration?

    mutating func next(after batch: (took: Duration, rows: Int), activeBackends: Int, lockWaits: Int) -> Duration {
        var slowed = false
        if batch.rows >= Self.leastRowsMeasured {
            let perRow = batch.took / batch.rows
            slowed = bestTimePerRow.map { perRow > $0 * Self.slowdown } ?? false
            bestTimePerRow = min(bestTimePerRow ?? perRow, perRow)
        }
        let busy = activeBackends > 0 || lockWaits > 0 || slowed
        factor = busy ? min(Self.mostPause, factor * 2) : max(Self.leastPause, factor / 2)
        return batch.took * factor
    }
}
