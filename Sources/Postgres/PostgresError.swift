/// A failure reported by libpq or by the server.
///
/// `description` is deliberately generic so that it can be shown anywhere;
/// the server's text (which may quote SQL or data) is only in
/// `debugDescription`, meant for the log.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    /// What went wrong, at the level a caller can act on.
    public enum Kind: Sendable, Equatable {
        /// No connection could be made (server down, bad address, bad credentials).
        case connectionFailed
        /// The connection broke while in use.
        case connectionLost
        /// The server refused or failed a statement.
        case queryFailed
        /// `statement_timeout` or `lock_timeout` cancelled the statement.
        case timedOut
        /// A value could not be read as the type asked for.
        case unexpectedResult
    }

    public let kind: Kind
    /// SQLSTATE code, when the server sent one.
    public let sqlState: SQLState?
    /// The server's or libpq's own message; for logs only.
    public let detail: String
    /// The wrapper function that saw the failure.
    public let location: String

    public init(kind: Kind, sqlState: SQLState? = nil, detail: String, location: String = #function) {
        self.kind = kind
        self.sqlState = sqlState
        self.detail = detail
        self.location = location
    }

    public var description: String {
        switch kind {
        case .connectionFailed: "database connection failed"
        case .connectionLost: "database connection lost"
        case .queryFailed: "database query failed" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
        case .timedOut: "database statement timed out" + (sqlState.map { " (SQLSTATE \($0))" } ?? "")
        case .unexpectedResult: "unexpected database result"
        }
    }

    public var debugDescription: String {
        "\(description) in \(location): \(detail)"
    }
}
