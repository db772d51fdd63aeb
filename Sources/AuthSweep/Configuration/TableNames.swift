/// The names of the tables and columns the jobs touch.
public struct TableNames: Sendable, Equatable {
    public var loginAttempts = "login_attempts"
    public var loginAttemptsCreatedAt = "created_at"
    public var authAuditLog = "auth_audit_log"
    public var authAuditLogCreatedAt = "created_at"
    public var userSessions = "user_sessions"
    public var userSessionsExpiresAt = "expires_at"
    public var userSessionsRevokedAt = "revoked_at"
    public var session = "Session"
    public var sessionID = "id"
    public var sessionToken = "sessionToken"
    /// `nil` for a preset whose table records no user (Django, Rails).
    public var sessionUserID: String? = "userId"
    /// The rule column: the expiry, or the last activity (see `SessionPreset.Rule`).
    public var sessionExpires = "expires"
    /// When the session was created, for `session.max_age_minutes`; `nil`
    /// where the framework's table has no such column.
    public var sessionCreatedAt: String? = "createdAt"
    /// Verification tokens (sign-in links, e-mail checks) that
    /// cleanup-sessions also removes once expired; `nil` for none.
    public var verificationToken: String? = "VerificationToken"
    public var verificationTokenExpires = "expires"
    public var user = "User"
    public var userID = "id"
    public var userName = "name"
    public var userEmail = "email"
    public var userRole = "role"
    public var auditLog = "AuditLog"
    public var auditLogID = "id"
    public var auditLogUserID = "userId"
    public var auditLogAction = "action"
    public var auditLogDetails = "details"
    public var auditLogCreatedAt = "createdAt"

    public init() {}
}
