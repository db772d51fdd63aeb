import FastCGI
import Logging

/// One responder thread's request handler: route, authorize, run the job,
/// answer. Owns that thread's database session.
public final class CronRequestHandler: FastCGIHandler {
    private let jobs: CleanupJobs
    private let authorizer: BearerAuthorizer
    private let database: DatabaseSession
    private let logger: Logger

    public init(jobs: CleanupJobs, authorizer: BearerAuthorizer, database: DatabaseSession, logger: Logger) {
        self.jobs = jobs
        self.authorizer = authorizer
        self.database = database
        self.logger = logger
    }

    public func handle(_ request: FastCGIRequest) -> FastCGIResponse {
        let started = MonotonicInstant.now()
        let outcome = process(request)
        let response = APIResponse.response(for: outcome)
        var metadata: Logger.Metadata = [
            "request.method": "\(request.method)",
            "request.path": "\(request.path)",
            "response.status": "\(response.status)",
            "request.duration_ms": "\(started.elapsedMilliseconds)",
        ]
        if case .failed(let error) = outcome {
            metadata["error"] = "\(error.logDescription)"
        }
        logger.log(level: response.status >= 500 ? .error : .info, "request", metadata: metadata)
        return response
    }

    /// Route first (404/405 need no secret and touch nothing), then the
    /// Authorization header, then the job.
    public func process(_ request: FastCGIRequest) -> APIOutcome {
        let endpoint: Endpoint
        switch Router.route(method: request.method, path: request.path) {
        case .notFound: return .notFound
        case .methodNotAllowed(let allowed): return .methodNotAllowed(allowed: allowed)
        case .endpoint(let matched): endpoint = matched
        }
        guard authorizer.isAuthorized(headerValues: request.values("HTTP_AUTHORIZATION")) else {
            return .unauthorized
        }
        let budget = CleanupOptions(timeBudgetSeconds: Double(jobs.configuration.httpTimeBudgetSeconds))
        do throws(JobError) {
            switch endpoint {
            case .cleanupAuth:
                return .cleanupAuth(try jobs.cleanupAuth(on: database, options: budget))
            case .cleanupSessions:
                return .cleanupSessions(try jobs.cleanupSessions(on: database, options: budget))
            case .sessionStats:
                return .sessionStats(try jobs.sessionStats(on: database))
            }
        } catch {
            return .failed(error)
        }
    }
}
