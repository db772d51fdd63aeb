import Postgres

/// The `kind` label of `authsweep_database_errors_total`.
package enum DatabaseErrorKind: String, Sendable, CaseIterable {
    case connection
    case connectionLost = "connection_lost"
    case query
    case timeout
    case result
    /// A configured table or column is missing or unusable.
    case schema
    /// The health check could not reach the database.
    case health
}

extension JobError {
    /// The kind of database failure, or `nil` when the failure is not the
    /// database's.
    package var databaseErrorKind: DatabaseErrorKind? {
        switch self {
        case .database(let error):
            switch error.kind {
            case .connectionFailed: .connection
            case .connectionLost: .connectionLost
            case .queryFailed: .query
            case .timedOut: .timeout
            case .unexpectedResult: .result
            }
        case .schema: .schema
        case .alreadyRunning, .notFound, .invalidArgument: nil
        }
    }
}
