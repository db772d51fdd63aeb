public import AuthSweep
public import Logging

/// What every responder thread's request handler shares: the jobs, the
/// Bearer check, the metrics, the time budget of an HTTP run, the logger.
public struct CronContext: Sendable {
    public let jobs: CleanupJobs
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

    /// The jobs' metrics, where requests are counted too.
    public var metrics: ServiceMetrics? { jobs.metrics }

    public init(jobs: CleanupJobs, authorizer: BearerAuthorizer, timeBudget: Duration, logger: Logger) {
        self.jobs = jobs
        self.authorizer = authorizer
        self.timeBudget = timeBudget
        self.logger = logger
        health = HealthCache()
        jobs.metrics?.registerAuthentication()
    }
}
