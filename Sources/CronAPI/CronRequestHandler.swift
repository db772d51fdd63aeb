public import AuthSweep
public import FastCGI
public import Logging

/// One responder thread's request handler: route, authorize, run the job,
/// answer. Owns that thread's database session, made again after a reload
/// that changed the database settings.
public final class CronRequestHandler: FastCGIHandler {
    private let context: CronContext
    private var database: DatabaseSession
    /// What `database` connects with, as the context's settings said when
    /// it was made (`nil`: the session was given, the settings say nothing).
    private var databaseSettings: DatabaseSettings?
    /// The settings' generation last looked at.
    private var generation = 0
    private let logger: Logger
    private let log: RequestLog
    private let metrics: RequestMetrics?

    /// - Parameter logger: this thread's logger (the context's, with the
    ///   thread's metadata).
    public init(context: CronContext, database: DatabaseSession, logger: Logger) {
        self.context = context
        self.database = database
        (databaseSettings, generation) = (context.settings.settings.database, context.settings.generation)
        self.logger = logger
        log = RequestLog(logger: logger, limiter: context.requestLog)
        metrics = context.metrics.map(RequestMetrics.init)
    }

    /// The request as a pipeline: route, authorize and dispatch to an
    /// outcome; the outcome to a response; then the metrics and the log line.
    public func handle(_ request: FastCGIRequest) -> FastCGIResponse {
        metrics?.began()
        defer { metrics?.ended() }
        let started = ContinuousClock.now
        let path = request.path
        let decision = Router.route(method: request.method, path: path)
        let settings = currentSettings()
        var refusal: AuthFailure?
        let outcome = process(request, decision: decision, settings: settings, refusal: &refusal)
        let response = APIResponse.response(for: outcome)
        let duration = started.duration(to: .now)
        metrics?.answered(RouteLabel(decision, path: path), status: response.status, in: duration)
        var failure: String?
        if case .failed(let error) = outcome {
            failure = error.logDescription
            if let kind = error.databaseErrorKind { metrics?.databaseError(kind) }
        }
        if case .health(databaseReachable: false) = outcome { metrics?.databaseError(.health) }
        log.record(
            RequestLog.Entry(
                method: request.method, path: path, peer: request["REMOTE_ADDR"], status: response.status, duration: duration,
                failure: failure, refusal: refusal, isHealth: decision == .endpoint(.health)))
        return response
    }

    /// Route first (404/405 need no secret and touch nothing), health
    /// without a secret, then the Authorization header, then the job.
    private func process(_ request: FastCGIRequest, decision: RouteDecision, settings: CronSettings, refusal: inout AuthFailure?) -> EndpointAnswer {
        let endpoint: Endpoint
        switch decision {
        case .notFound: return .notFound
        case .methodNotAllowed(let allowed): return .methodNotAllowed(allowed: allowed)
        case .endpoint(let matched): endpoint = matched
        }
        if endpoint.requiresSecret {
            let credential = settings.authorizer.credential(headerValues: request.values("HTTP_AUTHORIZATION"))
            switch credential.access {
            case .full: break
            case .readOnly where endpoint.acceptsReadOnlyToken: break
            case .readOnly, .denied:
                let reason = AuthFailure(refused: credential)
                refusal = reason
                metrics?.refused(reason)
                return .unauthorized
            }
            metrics?.admitted(AuthSecret(credential))
        }
        return dispatch(endpoint, settings: settings)
    }

    /// The settings this request runs with; after a reload that changed the
    /// database settings, a new session (the old connection closes with it).
    private func currentSettings() -> CronSettings {
        let (settings, current) = context.settings
        if current != generation {
            generation = current
            if let fresh = settings.database, fresh != databaseSettings {
                database = DatabaseSession(settings: fresh)
                databaseSettings = fresh
            }
        }
        return settings
    }

    /// Runs what `endpoint` asks for on this thread's database session.
    private func dispatch(_ endpoint: Endpoint, settings: CronSettings) -> EndpointAnswer {
        let jobs = settings.jobs
        let budget = CleanupOptions(timeBudget: settings.timeBudget)
        do throws(JobError) {
            switch endpoint {
            case .cleanup(.cleanupAuth):
                return .cleanup(.cleanupAuth(try jobs.cleanupAuth(on: database, options: budget)))
            case .cleanup(.cleanupSessions):
                return .cleanup(.cleanupSessions(try jobs.cleanupSessions(on: database, options: budget)))
            case .sessionStats:
                let counts = try context.sessionCounts.counts { query throws(JobError) in try jobs.sessionCounts(on: database, query: query) }
                return .sessionStats(SessionStats(active: counts.active, expired: counts.expired, timestamp: .now()))
            case .metrics:
                // The last successes and results as the run records have
                // them, so runs made elsewhere (the timer, cron, other hosts) show too.
                if let metrics = context.metrics {
                    let status = try? jobs.status(on: database)
                    metrics.runRecords(readable: status != nil)
                    for job in status?.jobs ?? [] {
                        if let success = job.record.lastSuccess { metrics.lastSuccess(job.kind, at: success) }
                        if let result = job.record.lastResult { metrics.lastRun(job.kind, failed: result == RunRecordResult.error.rawValue) }
                    }
                }
                return .metrics(context.metrics?.exposition() ?? [])
            case .status:
                return .status(try jobs.status(on: database))
            case .health:
                let answer = context.health.databaseReachable { jobs.databaseIsReachable(on: database) }
                if answer.changed {
                    logger.log(level: answer.reachable ? .notice : .warning, "health: the database is \(answer.reachable ? "reachable again" : "unreachable")")
                }
                return .health(databaseReachable: answer.reachable)
            }
        } catch {
            return .failed(error)
        }
    }
}
