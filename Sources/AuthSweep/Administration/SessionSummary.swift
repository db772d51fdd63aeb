import Postgres

/// One of a user's active sessions, as the command line shows it.
public struct SessionSummary: Sendable, Equatable {
    public let id: String
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    public let expires: String
    /// The first 8 characters of the token: a session token is a
    /// credential and is never shown whole.
    public let tokenPrefix: String
}
