public import Postgres

/// Why a job (a cleanup, the stats or an administration command) did not complete.
public enum JobError: Error, CustomStringConvertible, Sendable {
    /// Another run of the same kind holds the lease.
    case alreadyRunning(CleanupKind)
    /// The database could not be reached, or a statement failed.
    case database(PostgresError)
    /// A configured table or column is missing or has an unusable type.
    case schema(String)
    /// A user, session or token named on the command line does not exist.
    case notFound(String)
    /// A command-line argument is unusable.
    case invalidArgument(String)

    /// Another run holds the lease: not a failure (409, exit 75).
    public var isBusy: Bool {
        if case .alreadyRunning = self { return true }
        return false
    }

    /// No connection could be made, or it broke.
    public var isConnectionFailure: Bool {
        guard case .database(let error) = self else { return false }
        return error.kind == .connectionFailed || error.kind == .connectionLost
    }

    /// Safe for any output: no database text, no secret.
    public var description: String {
        switch self {
        case .alreadyRunning(let kind): "\(kind.rawValue) is already running elsewhere; try again later"
        case .database(let error): error.description
        case .schema(let message): message
        case .notFound(let message): message
        case .invalidArgument(let message): message
        }
    }

    /// For the command line's one stderr line: the database's own message
    /// too, on one line (an operator runs it; libpq's messages name hosts
    /// and users, never a password, and no secret reaches a JobError).
    /// Never for an HTTP body.
    public var operatorDescription: String {
        guard case .database(let error) = self, !error.detail.isEmpty else { return description }
        let detail = error.detail.split(whereSeparator: \.isNewline).map { $0.split(separator: " ").joined(separator: " ") }.filter { !$0.isEmpty }
        return "\(description): \(detail.joined(separator: " "))"
    }

    /// The full story, for the log only (may quote the server's message).
    public var logDescription: String {
        if case .database(let error) = self { return error.debugDescription }
        return description
    }
}

extension JobError {
    /// The failure answer, as the endpoint and `--json` give it: fixed
    /// texts, so no database message, SQL or secret can reach it.
    public var json: JSONValue {
        if case .alreadyRunning = self {
            return .object([("success", .bool(false)), ("error", .string("Cleanup already in progress"))])
        }
        return .object([("success", .bool(false)), ("error", .string("Internal Server Error"))])
    }
}

extension JobError {
    /// Runs `body`, a call into the Postgres layer, with its failure as a
    /// job error: the one place a `PostgresError` becomes `.database`.
    static func fromDatabase<Result>(_ body: () throws(PostgresError) -> Result) throws(JobError) -> Result {
        do {
            return try body()
        } catch {
            throw .database(error)
        }
    }
}
