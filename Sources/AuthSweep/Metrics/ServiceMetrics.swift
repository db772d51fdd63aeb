package import Prometheus

/// The worker's Prometheus metrics (swift-prometheus), one registry per
/// process: with a pool, scrape each worker (nginx.conf.example routes
/// `/api/cron/metrics/N` to worker N) and sum in PromQL.
public final class ServiceMetrics: RunObserver {
    /// Shared with the HTTP layer, which adds the request metrics.
    package let registry = PrometheusCollectorRegistry()

    public init() {}

    /// One cleanup run that finished (`success`), failed (`error`) or found
    /// the same cleanup running elsewhere (`busy`).
    public func runEnded(_ job: CleanupKind, result: RunRecordResult, deleted: Int, duration: Duration) {
        // "cleanup", not "job": Prometheus renames a target's own "job" label on scrape.
        let jobLabel = [("cleanup", job.rawValue)]
        registry.makeCounter(
            descriptor: Self.name("cleanup_runs", "total", "Cleanup runs by job and result: success, error or busy"),
            labels: jobLabel + [("result", result.rawValue)]
        ).increment()
        guard result != .busy else { return }
        registry.makeCounter(
            descriptor: Self.name("cleanup_rows_deleted", "total", "Rows deleted by cleanups, by job"),
            labels: jobLabel
        ).increment(by: Int64(deleted))
        registry.makeDurationHistogram(
            descriptor: Self.name("cleanup_duration", "seconds", "Duration of cleanup runs, by job"),
            labels: jobLabel,
            buckets: Self.durationBuckets
        ).record(duration)
        if result == .success {
            lastSuccess(job, at: .now())
        }
        lastRun(job, failed: result == .error)
    }

    /// Shows every job's run counters at zero from the worker's start, so
    /// that an alert on their increase has a series before the first run.
    public func registerCleanupRuns() {
        for job in [CleanupKind.cleanupAuth, .cleanupSessions] {
            for result in [RunRecordResult.success, .error, .busy] {
                _ = registry.makeCounter(
                    descriptor: Self.name("cleanup_runs", "total", "Cleanup runs by job and result: success, error or busy"),
                    labels: [("cleanup", job.rawValue), ("result", result.rawValue)])
            }
        }
    }

    /// Whether the last run of `job` failed (1) or succeeded (0), from this
    /// process or from the run records, wherever it ran.
    public func lastRun(_ job: CleanupKind, failed: Bool) {
        registry.makeGauge(
            // A 0/1 state has no unit: the empty one leaves the name as it is.
            descriptor: Self.name("cleanup_last_run_failed", "", "1 when the last cleanup run failed, 0 when it succeeded, by cleanup, wherever it ran"),
            labels: [("cleanup", job.rawValue)]
        ).set(Double(failed ? 1 : 0))
    }

    /// The last successful run of `job`, from this process or from the run
    /// records (which see the timer's and other hosts' runs too).
    public func lastSuccess(_ job: CleanupKind, at time: Timestamp) {
        registry.makeGauge(
            descriptor: Self.name("cleanup_last_success_timestamp", "seconds", "Unix time of the last successful cleanup run, by cleanup, wherever it ran"),
            labels: [("cleanup", job.rawValue)]
        ).set(Double(time.millisecondsSinceEpoch) / 1000)
    }

    /// Whether the last scrape could read the run records: 0 when the
    /// database is down, refuses the role or a privilege is missing, which
    /// fails the timer's runs too before they can record themselves.
    public func runRecords(readable: Bool) {
        registry.makeGauge(
            descriptor: Self.name(
                "run_records_readable", "", "1 when the last scrape read the run records from the database, 0 when it could not"),
            labels: []
        ).set(Double(readable ? 1 : 0))
    }

    /// Shows every kind of database failure at zero from the worker's start.
    public func registerDatabaseErrors() {
        for kind in DatabaseErrorKind.allCases {
            _ = registry.makeCounter(
                descriptor: Self.name("database_errors", "total", "Database failures seen by requests, by kind"),
                labels: [("kind", kind.rawValue)])
        }
    }

    /// A database failure seen by a request.
    package func databaseError(_ kind: DatabaseErrorKind) {
        registry.makeCounter(
            descriptor: Self.name("database_errors", "total", "Database failures seen by requests, by kind"),
            labels: [("kind", kind.rawValue)]
        ).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    package static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
        .seconds(1), .seconds(5), .seconds(20), .seconds(60),
    ]

    /// Descriptors are not Sendable, so they are made where they are used.
    package static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "authsweep", metricName: metric, unitName: unit, helpText: help)
    }
}
