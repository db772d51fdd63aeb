/// A framework whose own auth tables `cleanup-auth` also cleans
/// (`auth.presets`), each by exactly the rule of that framework's own purge
/// command at its default settings (`AuthPresetSettings` holds the settings
/// those commands read).
public enum AuthPreset: String, Sendable, CaseIterable {
    /// django-oauth-toolkit 3.4: what `manage.py cleartokens` deletes.
    case djangoOAuthToolkit = "django-oauth-toolkit"
    /// djangorestframework-simplejwt 5.5: what `manage.py flushexpiredtokens` deletes.
    case simplejwt
    /// Doorkeeper 5.5: what `rake doorkeeper:db:cleanup` deletes.
    case doorkeeper
    /// Laravel: what `php artisan auth:clear-resets` deletes.
    case laravelPasswordResets = "laravel-password-resets"
    /// django-axes 8: what `manage.py axes_reset_logs` deletes.
    case djangoAxes = "django-axes"
    /// Supabase Auth (GoTrue): what its own cleanup deletes from the
    /// `auth` schema, and audit log entries past a retention.
    case supabase
}

/// The settings of the frameworks' own purge commands that change what
/// they delete, with those frameworks' defaults (`auth.<preset>.*`).
public struct AuthPresetSettings: Sendable, Equatable {
    /// django-oauth-toolkit's `REFRESH_TOKEN_EXPIRE_SECONDS`: `nil` (its
    /// default) for refresh tokens that never expire by age.
    public var oauthToolkitRefreshTokenExpireSeconds: Int?
    /// django-oauth-toolkit's `REFRESH_TOKEN_GRACE_PERIOD_SECONDS`.
    public var oauthToolkitRefreshTokenGracePeriodSeconds = 0
    /// django-oauth-toolkit's `REFRESH_TOKEN_REUSE_PROTECTION`.
    public var oauthToolkitRefreshTokenReuseProtection = false
    /// Doorkeeper's `access_token_expires_in`, the age at which its cleaner
    /// deletes a token without a refresh token (whatever the row's own
    /// `expires_in`).
    public var doorkeeperAccessTokenExpiresInSeconds = 7_200
    /// Doorkeeper's `authorization_code_expires_in`.
    public var doorkeeperAuthorizationCodeExpiresInSeconds = 600
    /// Laravel's `auth.passwords.<broker>.expire`, in minutes.
    public var laravelPasswordResetExpireMinutes = 60
    /// django-axes' `axes_reset_logs --age`, in days.
    public var axesLogAgeDays = 30
    /// How long Supabase's `auth.audit_log_entries` are kept (GoTrue never
    /// deletes them).
    public var supabaseAuditLogRetentionDays = 90

    public init() {}
}
