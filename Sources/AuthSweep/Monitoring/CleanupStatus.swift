import Postgres

/// What the run records say of each job: the status view (`authsweep status`,
/// `GET /api/cron/status`) and the metrics' last-success gauge, for runs
/// made anywhere (workers, the timer, cron, another host).
public struct CleanupStatus: Sendable, Equatable {
    /// One job's record; nil fields: it never ran (or never succeeded).
    public struct Job: Sendable, Equatable {
        public var lastRun: Timestamp?
        public var lastResult: String?
        public var lastSuccess: Timestamp?
        public var lastDeleted: Int?
    }

    public let jobs: [(kind: CleanupKind, record: Job, enabled: Bool)]
    /// Enabled jobs with no success within the staleness limit (never having run included).
    public let staleJobs: [CleanupKind]

    public var isStale: Bool { !staleJobs.isEmpty }

    public static func == (lhs: CleanupStatus, rhs: CleanupStatus) -> Bool {
        lhs.staleJobs == rhs.staleJobs && lhs.jobs.map(\.record) == rhs.jobs.map(\.record)
    }

    /// `{"status":"ok"|"stale","jobs":{"cleanup-auth":{"lastRun",...},...}}`.
    public var json: JSONValue {
        .object([
            ("status", .string(isStale ? "stale" : "ok")),
            (
                "jobs",
                .object(
                    jobs.map { entry in
                        (
                            entry.kind.rawValue,
                            .object([
                                ("lastRun", entry.record.lastRun.map { .string($0.iso8601) } ?? .null),
                                ("lastResult", entry.record.lastResult.map { .string($0) } ?? .null),
                                ("lastSuccess", entry.record.lastSuccess.map { .string($0.iso8601) } ?? .null),
                                ("lastDeleted", entry.record.lastDeleted.map { .integer($0) } ?? .null),
                            ])
                        )
                    })
            ),
        ])
    }
}

extension CleanupStatus {
    /// Reads the run records: every job in `kinds`, stale when `expectsRuns`
    /// says it should run and it has had no success within `staleAfterHours`.
    /// A database without the run-record table has none yet: every job
    /// reads as never having run.
    public static func read(
        on database: DatabaseSession, kinds: [CleanupKind], staleAfterHours: Double, now: Timestamp = .now(),
        expectsRuns: (CleanupKind) throws(JobError) -> Bool
    ) throws(JobError) -> CleanupStatus {
        var records: [String: Job] = [:]
        do throws(JobError) {
            try database.withRunner { runner throws(JobError) in
                let table = try runner.catalog.quote(RunRecordTable.name)
                let rows = try runner.run(
                    """
                    SELECT job, (extract(epoch FROM last_run_at) * 1000)::bigint, last_result,
                           (extract(epoch FROM last_success_at) * 1000)::bigint, last_deleted
                    FROM \(table)
                    """
                ).rows
                for row in rows {
                    guard let job = row[0] else { continue }
                    records[job] = Job(
                        lastRun: row[1].flatMap(Int64.init).map(Timestamp.init(millisecondsSinceEpoch:)),
                        lastResult: row[2],
                        lastSuccess: row[3].flatMap(Int64.init).map(Timestamp.init(millisecondsSinceEpoch:)),
                        lastDeleted: row[4].flatMap(Int.init))
                }
            }
        } catch .database(let error) where error.sqlState == .undefinedTable {
            records = [:]
        }
        let limit = Int64(staleAfterHours * 3_600_000)
        var jobs: [(kind: CleanupKind, record: Job, enabled: Bool)] = []
        for kind in kinds {
            jobs.append((kind, records[kind.rawValue] ?? Job(), try expectsRuns(kind)))
        }
        let stale = jobs.filter { job in
            guard job.enabled else { return false }
            guard let success = job.record.lastSuccess else { return true }
            return now.millisecondsSinceEpoch - success.millisecondsSinceEpoch > limit
        }.map(\.kind)
        return CleanupStatus(jobs: jobs, staleJobs: stale)
    }
}
