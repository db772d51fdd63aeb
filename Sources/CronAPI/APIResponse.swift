public import AuthSweep
public import FastCGI

/// The one place that maps answers and errors to statuses and JSON bodies,
/// shared by the HTTP endpoints and the command line's `--json`.
public enum APIResponse {
    /// The HTTP status for `answer`.
    public static func status(for answer: EndpointAnswer) -> Int {
        switch answer {
        case .cleanup, .sessionStats, .metrics, .health(databaseReachable: true): 200
        case .health(databaseReachable: false): 503
        case .status(let status): status.isStale ? 503 : 200
        case .unauthorized: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .failed(.alreadyRunning): 409
        case .failed: 500
        }
    }

    /// The JSON body for an answer: the domain's (see
    /// `CleanupOutcome.json`, `JobError.json`) and the contract's
    /// bodies for requests that reach no job.
    public static func body(for answer: EndpointAnswer) -> JSONValue {
        switch answer {
        case .cleanup(let outcome):
            return outcome.json
        case .sessionStats(let stats):
            return stats.json
        case .health(let reachable):
            return .object([("status", .string(reachable ? "ok" : "unavailable"))])
        case .status(let status):
            return status.json
        case .metrics:
            // Not JSON: response(for:) sends the exposition text itself.
            return .null
        case .unauthorized:
            return .object([("error", .string("Unauthorized"))])
        case .notFound:
            return .object([("error", .string("Not Found"))])
        case .methodNotAllowed:
            return .object([("error", .string("Method Not Allowed"))])
        case .failed(let error):
            return error.json
        }
    }

    /// The complete FastCGI response for `answer`.
    public static func response(for answer: EndpointAnswer) -> FastCGIResponse {
        switch answer {
        case .unauthorized: unauthorized
        case .notFound: notFound
        default: build(answer)
        }
    }

    // The answers to requests that reach no job, made once: a flood of
    // them should cost as little as possible.
    private static let unauthorized = build(.unauthorized)
    private static let notFound = build(.notFound)

    private static func build(_ answer: EndpointAnswer) -> FastCGIResponse {
        if case .metrics(let exposition) = answer {
            return FastCGIResponse(
                status: 200,
                headers: [
                    .init("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                    .init("Cache-Control", "no-store"),
                ], body: exposition)
        }
        var headers = [
            FastCGIResponse.Header("Content-Type", "application/json; charset=utf-8"),
            FastCGIResponse.Header("Cache-Control", "no-store"),
        ]
        switch answer {
        case .unauthorized:
            headers.append(.init("WWW-Authenticate", "Bearer"))
        case .methodNotAllowed(let allowed):
            headers.append(.init("Allow", allowed.joined(separator: ", ")))
        default:
            break
        }
        return FastCGIResponse(status: status(for: answer), headers: headers, body: Array(body(for: answer).serialized.utf8))
    }
}
