public import AuthSweep
public import FastCGI
public import Logging
import Prometheus

/// One responder thread's request handler: route, authorize, run the job,
/// answer. Owns that thread's database session.
public final class CronRequestHandler: FastCGIHandler {
    private let context: CronContext
    private let database: DatabaseSession
    private let logger: Logger

    /// - Parameter logger: this thread's logger (the context's, with the
    ///   thread's metadata).
    public init(context: CronContext, database: DatabaseSession, logger: Logger) {
        self.context = context
        self.database = database
        self.logger = logger
    }

    public func handle(_ request: FastCGIRequest) -> FastCGIResponse {
        busy?.increment()
        idle?.decrement()
        defer {
            busy?.decrement()
            idle?.increment()
        }
        let started = ContinuousClock.now
        let method = request.method
        let path = request.path
        let decision = Router.route(method: method, path: path)
        var refusal: BearerAuthorizer.Credential?
        let outcome = process(request, decision: decision, refusal: &refusal)
        let response = APIResponse.response(for: outcome)
        var failure: String?
        if case .failed(let error) = outcome {
            failure = error.logDescription
            if let kind = error.databaseErrorKind { context.metrics?.databaseError(kind) }
        }
        if case .health(databaseReachable: false) = outcome {
            context.metrics?.databaseError(.health)
        }
        let duration = started.duration(to: .now)
        // Health checks are anonymous and may come in floods: their lines
        // are debug (a change of answer is logged above). Each peer's lines
        // are limited; the metadata is built only for a line that is logged.
        let level: Logger.Level = decision == .endpoint(.health) ? .debug : response.status >= 500 ? .error : .info
        let peer = request["REMOTE_ADDR"]
        if logger.logLevel <= level, case let (true, notLogged) = context.requestLog.admit(peer ?? "-") {
            // What the peer sent, escaped: it cannot end the line or forge another.
            var metadata: Logger.Metadata = [
                "request.method": "\(LogText.escaped(method))",
                "request.path": "\(LogText.escaped(path))",
                "response.status": "\(response.status)",
                "request.duration_ms": "\(duration.milliseconds)",
            ]
            if let failure { metadata["error"] = "\(failure)" }
            if let refusal {
                // Why, and who: never a byte of what was presented.
                metadata["auth.failure"] = "\(Self.failureReason(refusal))"
                metadata["client.address"] = "\(LogText.escaped(peer ?? "-"))"
            }
            if notLogged > 0 { metadata["log.requests_not_logged"] = "\(notLogged)" }
            logger.log(level: level, "request", metadata: metadata)
        }
        if let metrics = context.metrics {
            recorder(metrics, route: Self.routeLabel(decision, path: path), status: response.status).record(duration)
        }
        return response
    }

    /// This thread's metric handles by route and status, made on first use
    /// (the registry checks names and labels on every lookup).
    private var recorders: [RequestRecorderKey: ServiceMetrics.RequestRecorder] = [:]
    private var authCounters: [String: Counter] = [:]
    private lazy var busy = context.metrics?.respondersGauge("busy")
    private lazy var idle = context.metrics?.respondersGauge("idle")

    private func authCounter(failure: Bool, _ label: String) -> Counter? {
        guard let metrics = context.metrics else { return nil }
        let key = (failure ? "failure:" : "success:") + label
        if let counter = authCounters[key] { return counter }
        let counter = failure ? metrics.authFailures(label) : metrics.authSuccesses(label)
        authCounters[key] = counter
        return counter
    }

    private func recorder(_ metrics: ServiceMetrics, route: String, status: Int) -> ServiceMetrics.RequestRecorder {
        let key = RequestRecorderKey(route: route, status: status)
        if let recorder = recorders[key] { return recorder }
        let recorder = metrics.requestRecorder(route: route, status: status)
        recorders[key] = recorder
        return recorder
    }

    /// Route first (404/405 need no secret and touch nothing), health
    /// without a secret, then the Authorization header, then the job.
    private func process(_ request: FastCGIRequest, decision: RouteDecision, refusal: inout BearerAuthorizer.Credential?) -> APIOutcome {
        let endpoint: Endpoint
        switch decision {
        case .notFound: return .notFound
        case .methodNotAllowed(let allowed): return .methodNotAllowed(allowed: allowed)
        case .endpoint(let matched): endpoint = matched
        }
        if endpoint.requiresSecret {
            let credential = context.authorizer.credential(headerValues: request.values("HTTP_AUTHORIZATION"))
            switch credential.access {
            case .full: break
            case .readOnly where endpoint.acceptsReadOnlyToken: break
            case .readOnly, .denied:
                refusal = credential
                authCounter(failure: true, Self.failureReason(credential))?.increment()
                return .unauthorized
            }
            authCounter(failure: false, Self.secretLabel(credential))?.increment()
        }
        let jobs = context.jobs
        let budget = CleanupOptions(timeBudget: context.timeBudget)
        do throws(JobError) {
            switch endpoint {
            case .cleanupAuth:
                return .cleanupAuth(try jobs.cleanupAuth(on: database, options: budget))
            case .cleanupSessions:
                return .cleanupSessions(try jobs.cleanupSessions(on: database, options: budget))
            case .sessionStats:
                let counts = try context.sessionCounts.counts { query throws(JobError) in try jobs.sessionCounts(on: database, query: query) }
                return .sessionStats(SessionStats(active: counts.active, expired: counts.expired, timestamp: .now()))
            case .metrics:
                // The last successes and results as the run records have
                // them, so runs made elsewhere (the timer, cron, other hosts) show too.
                if let metrics = context.metrics, let status = try? jobs.status(on: database) {
                    for job in status.jobs {
                        if let success = job.record.lastSuccess { metrics.lastSuccess(job.kind, at: success) }
                        if let result = job.record.lastResult { metrics.lastRun(job.kind, failed: result == CleanupResult.error.rawValue) }
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

    /// `missing`, `malformed` or `mismatch`; a metrics token used where only
    /// a cron secret opens is a mismatch too.
    static func failureReason(_ credential: BearerAuthorizer.Credential) -> String {
        switch credential {
        case .missing: "missing"
        case .malformed: "malformed"
        case .mismatch, .currentSecret, .previousSecret, .metricsToken: "mismatch"
        }
    }

    /// Which secret opened the request: `current`, `previous` (a rotation
    /// may end once this stays flat) or `metrics`.
    static func secretLabel(_ credential: BearerAuthorizer.Credential) -> String {
        switch credential {
        case .previousSecret: "previous"
        case .metricsToken: "metrics"
        default: "current"
        }
    }

    /// A bounded label: the endpoint, the known path of a 405, or `other`.
    private static func routeLabel(_ decision: RouteDecision, path: String) -> String {
        switch decision {
        case .endpoint(let endpoint): endpoint.rawValue
        case .methodNotAllowed: path
        case .notFound: "other"
        }
    }
}

private struct RequestRecorderKey: Hashable {
    let route: String
    let status: Int
}
