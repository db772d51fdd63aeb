import AuthSweep
import FastCGI

/// The one place that maps outcomes and errors to statuses and JSON bodies,
/// shared by the HTTP endpoints and the command line's `--json`.
public enum APIResponse {
    /// The HTTP status for `outcome`.
    public static func status(for outcome: APIOutcome) -> Int {
        switch outcome {
        case .cleanupAuth, .cleanupSessions, .sessionStats, .metrics, .health(databaseReachable: true): 200
        case .health(databaseReachable: false): 503
        case .status(let status): status.isStale ? 503 : 200
        case .unauthorized: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .failed(.alreadyRunning): 409
        case .failed: 500
        }
    }

    /// The JSON body for `outcome`. Failure bodies are fixed texts: no
    /// database message, SQL or secret can reach them.
    public static func body(for outcome: APIOutcome) -> JSONValue {
        switch outcome {
        case .cleanupAuth(let run):
            var members: [(key: String, value: JSONValue)] = [
                ("success", .bool(true)),
                ("message", .string(run.dryRun ? "Dry run completed" : "Cleanup completed")),
            ]
            if run.dryRun { members.append(("dryRun", .bool(true))) }
            members.append(
                (
                    run.dryRun ? "wouldDelete" : "deleted",
                    .object([
                        ("loginAttempts", .integer(run.loginAttempts)),
                        ("authAuditLog", .integer(run.authAuditLog)),
                        ("userSessions", .integer(run.userSessions)),
                    ])
                ))
            if run.hasMore { members.append(("hasMore", .bool(true))) }
            return .object(members)
        case .cleanupSessions(let run) where run.dryRun:
            var members: [(key: String, value: JSONValue)] = [
                ("success", .bool(true)),
                ("dryRun", .bool(true)),
                ("deletedCount", .integer(0)),
                ("expiredCount", .integer(run.deletedCount)),
                ("message", .string("Dry run: \(run.deletedCount) expired session(s) would be deleted")),
                ("timestamp", .string(run.timestamp.iso8601)),
            ]
            // Only where the preset's verification-token table exists, so
            // the default schema's answer is unchanged.
            if let tokens = run.verificationTokensDeleted { members.insert(("expiredVerificationTokens", .integer(tokens)), at: 4) }
            return .object(members)
        case .cleanupSessions(let run):
            var members: [(key: String, value: JSONValue)] = [
                ("success", .bool(true)),
                ("deletedCount", .integer(run.deletedCount)),
                ("message", .string("Successfully deleted \(run.deletedCount) expired session(s)")),
                ("timestamp", .string(run.timestamp.iso8601)),
            ]
            if let tokens = run.verificationTokensDeleted { members.insert(("deletedVerificationTokens", .integer(tokens)), at: 2) }
            if run.hasMore { members.append(("hasMore", .bool(true))) }
            return .object(members)
        case .sessionStats(let stats):
            return .object([
                ("success", .bool(true)),
                (
                    "stats",
                    .object([
                        ("total", .integer(stats.total)),
                        ("active", .integer(stats.active)),
                        ("expired", .integer(stats.expired)),
                        ("timestamp", .string(stats.timestamp.iso8601)),
                    ])
                ),
            ])
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
        case .failed(.alreadyRunning):
            return .object([("success", .bool(false)), ("error", .string("Cleanup already in progress"))])
        case .failed:
            return .object([("success", .bool(false)), ("error", .string("Internal Server Error"))])
        }
    }

    /// The complete FastCGI response for `outcome`.
    public static func response(for outcome: APIOutcome) -> FastCGIResponse {
        switch outcome {
        case .unauthorized: unauthorized
        case .notFound: notFound
        default: build(outcome)
        }
    }

    // The answers to requests that reach no job, made once: a flood of
    // them should cost as little as possible.
    private static let unauthorized = build(.unauthorized)
    private static let notFound = build(.notFound)

    private static func build(_ outcome: APIOutcome) -> FastCGIResponse {
        if case .metrics(let exposition) = outcome {
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
        switch outcome {
        case .unauthorized:
            headers.append(.init("WWW-Authenticate", "Bearer"))
        case .methodNotAllowed(let allowed):
            headers.append(.init("Allow", allowed.joined(separator: ", ")))
        default:
            break
        }
        return FastCGIResponse(status: status(for: outcome), headers: headers, body: Array(body(for: outcome).serialized.utf8))
    }
}
