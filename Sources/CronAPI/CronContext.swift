public import AuthSweep
import Locking
public import Logging

/// What a reload may change while the worker serves: the jobs (the
/// configuration they run with and the observers told of each run), the
/// Bearer check, the time budget of an HTTP run, and the database settings
/// each responder's next connection is made with.
public struct CronSettings: Sendable {
    public let jobs: CleanupJobs
    public let authorizer: BearerAuthorizer
    /// An HTTP cleanup stops between batches after this and answers
    /// `"hasMore":true`, well before nginx's `fastcgi_read_timeout`.
    public let timeBudget: Duration
    /// `nil`: each responder keeps the database session it was made with.
    public let database: DatabaseSettings?

    public init(jobs: CleanupJobs, authorizer: BearerAuthorizer, timeBudget: Duration, database: DatabaseSettings? = nil) {
        self.jobs = jobs
        self.authorizer = authorizer
        self.timeBudget = timeBudget
        self.database = database
    }
}

/// What every responder thread's request handler shares: the settings a
/// reload replaces, the worker's metrics, the logger, and the state that
/// outlives a reload (the health answer, the log's limits, the stats counts).
public struct CronContext: Sendable {
    /// The settings and how many times they were replaced.
    private let current: Locked<(settings: CronSettings, generation: Int)>
    /// The worker's metrics (also among the jobs' observers); `nil` in
    /// tests that count nothing.
    public let metrics: ServiceMetrics?
    public let logger: Logger
    /// The worker's last health answer, shared by its threads.
    public let health: HealthCache
    /// How many request lines each peer may put in the log.
    public let requestLog = RequestLogLimiter()
    /// The stats counts, shared among the worker's concurrent stats requests.
    let sessionCounts = SessionCountCoalescer()

    public init(settings: CronSettings, metrics: ServiceMetrics?, logger: Logger) {
        current = Locked((settings, 0))
        self.metrics = metrics
        self.logger = logger
        health = HealthCache()
        metrics?.registerAuthentication()
    }

    public init(jobs: CleanupJobs, metrics: ServiceMetrics?, authorizer: BearerAuthorizer, timeBudget: Duration, logger: Logger) {
        self.init(settings: CronSettings(jobs: jobs, authorizer: authorizer, timeBudget: timeBudget), metrics: metrics, logger: logger)
    }

    /// The settings a request starts with (it keeps them to its end) and
    /// their generation, which each reload increases.
    var settings: (settings: CronSettings, generation: Int) {
        current.withLock { $0 }
    }

    /// Every request that starts from now on runs with `settings`.
    public func replace(_ settings: CronSettings) {
        current.withLock { $0 = (settings, $0.generation + 1) }
    }
}
