public import AuthSweep
public import Logging

/// What every responder thread's request handler shares: the jobs, the
/// Bearer check, the worker's metrics, the time budget of an HTTP run, the
/// logger.
public struct CronContext: Sendable {
    public let jobs: CleanupJobs
    /// The worker's metrics (also among the jobs' observers); `nil` in
    /// tests that count nothing.
    public let metrics: ServiceMetrics?
    public let authorizer: BearerAuthorizer
    /// An HTTP cleanup stops between batches after this and answers
    /// `"hasMore":true`, well before nginx's `fastcgi_read_timeout`.
    public let timeBudget: Duration
    public let logger: Logger
    /// The worker's last health answer, shared by its threads.
    public let health: HealthCache
    /// How many request lines each peer may put in the log.
    public let requestLog = RequestLogLimiter()
    /// The stats counts, shared among the worker's concurrent stats requests.
    let sessionCounts = SessionCountCoalescer()

    public init(jobs: CleanupJobs, metrics: ServiceMetrics?, authorizer: BearerAuthorizer, timeBudget: Duration, logger: Logger) {
        self.jobs = jobs
        self.metrics = metrics
        self.authorizer = authorizer
        self.timeBudget = timeBudget
        self.logger = logger
        health = HealthCache()
        metrics?.registerAuthentication()
    }
}
