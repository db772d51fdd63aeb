/// Each table a cleanup deletes from, by its part in the job; the raw value
/// names its count in the log line (`job.deleted.<name>`) and in `--explain`.
public struct CleanupTarget: RawRepresentable, Hashable, Sendable {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// cleanup-sessions: the preset's session table.
    public static let sessions = CleanupTarget(rawValue: "sessions")
    /// cleanup-sessions: the preset's verification tokens, where it has them.
    public static let verificationTokens = CleanupTarget(rawValue: "verification_tokens")
    /// cleanup-auth's three tables.
    public static let loginAttempts = CleanupTarget(rawValue: "login_attempts")
    public static let authAuditLog = CleanupTarget(rawValue: "auth_audit_log")
    public static let userSessions = CleanupTarget(rawValue: "user_sessions")

    /// cleanup-auth: a table of an auth preset (`django-oauth-toolkit.oauth2_provider_grant`).
    public static func preset(_ preset: AuthPreset, table: String) -> CleanupTarget {
        CleanupTarget(rawValue: "\(preset.rawValue).\(table)")
    }
}
