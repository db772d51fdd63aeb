/// Each table a cleanup deletes from, by its part in the job; the raw value
/// names its count in the log line (`job.deleted.<name>`) and in `--explain`.
public enum CleanupTarget: String, Sendable, CaseIterable {
    /// cleanup-sessions: the preset's session table.
    case sessions
    /// cleanup-sessions: the preset's verification tokens, where it has them.
    case verificationTokens = "verification_tokens"
    /// cleanup-auth's three tables.
    case loginAttempts = "login_attempts"
    case authAuditLog = "auth_audit_log"
    case userSessions = "user_sessions"
}
