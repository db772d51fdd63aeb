/// A SQLSTATE code: the five characters with which the server says what
/// kind of error it met (PostgreSQL's documentation, appendix "Error
/// Codes"). Named here are the ones authsweep acts on.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public var description: String { rawValue }

    /// The first two characters: the class (`08` connection exception, ...).
    public var errorClass: String { String(rawValue.prefix(2)) }

    /// `statement_timeout` (or a cancel request) stopped the statement.
    public static let queryCanceled: SQLState = "57014"
    /// `lock_timeout` passed, or `NOWAIT` found the row locked.
    public static let lockNotAvailable: SQLState = "55P03"
    /// The table does not exist (or is not on the search path).
    public static let undefinedTable: SQLState = "42P01"
    /// A row still referred to by a foreign key (one written meanwhile).
    public static let foreignKeyViolation: SQLState = "23503"
    /// The server is shutting down, crashed, or is starting or stopping.
    public static let adminShutdown: SQLState = "57P01"
    public static let crashShutdown: SQLState = "57P02"
    public static let cannotConnectNow: SQLState = "57P03"
    /// The class of errors about the connection itself.
    public static let connectionExceptionClass = "08"
}

extension PostgresError.Kind {
    /// What a failed statement means to its caller, from its SQLSTATE,
    /// on a connection that is still usable.
    public init(failedStatement state: SQLState?) {
        switch state {
        case .queryCanceled?, .lockNotAvailable?: self = .timedOut
        case let state? where state.errorClass == SQLState.connectionExceptionClass: self = .connectionLost
        case .adminShutdown?, .crashShutdown?, .cannotConnectNow?: self = .connectionLost
        default: self = .queryFailed
        }
    }
}
