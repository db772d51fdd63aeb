import Postgres

/// The rules of Doorkeeper's, Laravel's and Supabase Auth's own cleanups.
extension AuthPreset {
    /// Doorkeeper 5.5.0, `doorkeeper:db:cleanup` (`StaleRecordsCleaner`):
    /// tokens and grants revoked before now; tokens without a refresh
    /// token created more than `access_token_expires_in` ago, and grants
    /// created more than `authorization_code_expires_in` ago, whatever the
    /// row's own `expires_in`. Its columns are `timestamp` holding the wall
    /// time Rails writes (UTC unless `session.column_time_zone` says).
    static func doorkeeperRules(_ settings: AuthPresetSettings) -> [PresetTableRule] {
        [
            PresetTableRule(
                preset: .doorkeeper, table: "oauth_access_tokens", optional: false,
                summary:
                    "access tokens revoked, or without a refresh token and created more than \(settings.doorkeeperAccessTokenExpiresInSeconds) s ago",
                otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "oauth_access_tokens", catalog: catalog, wallClockZone: zone) { terms throws(JobError) in
                    """
                    (("revoked_at" IS NOT NULL AND \(try terms.before("revoked_at", secondsAgo: 0)))
                     OR ("refresh_token" IS NULL AND \(try terms.before("created_at", secondsAgo: settings.doorkeeperAccessTokenExpiresInSeconds))))
                    """
                }
            },
            PresetTableRule(
                preset: .doorkeeper, table: "oauth_access_grants", optional: false,
                summary: "grants revoked, or created more than \(settings.doorkeeperAuthorizationCodeExpiresInSeconds) s ago", otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "oauth_access_grants", catalog: catalog, wallClockZone: zone) { terms throws(JobError) in
                    """
                    (("revoked_at" IS NOT NULL AND \(try terms.before("revoked_at", secondsAgo: 0)))
                     OR \(try terms.before("created_at", secondsAgo: settings.doorkeeperAuthorizationCodeExpiresInSeconds)))
                    """
                }
            },
        ]
    }

    /// Laravel's `auth:clear-resets` (`DatabaseTokenRepository::deleteExpired`):
    /// tokens created before now, in whole seconds, less the expiry.
    /// `password_reset_tokens` since Laravel 10, `password_resets` before;
    /// `timestamp` columns holding the application's wall time (UTC unless
    /// `session.column_time_zone` says).
    static func laravelRules(_ settings: AuthPresetSettings) -> [PresetTableRule] {
        let expiry = settings.laravelPasswordResetExpireMinutes * 60
        return ["password_reset_tokens", "password_resets"].map { table in
            PresetTableRule(
                preset: .laravelPasswordResets, table: table, optional: true,
                summary: "password reset tokens created more than \(settings.laravelPasswordResetExpireMinutes) minutes ago", otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: table, catalog: catalog, wallClockZone: zone) { terms throws(JobError) in
                    // Carbon's now, as Laravel compares it: whole seconds.
                    "\(try terms.column("created_at")) < date_trunc('second', \(try terms.ago(expiry, on: "created_at")))"
                }
            }
        }
    }

    /// Supabase Auth (GoTrue), `internal/models/cleanup.go`: revoked
    /// refresh tokens not updated for 24 hours; sessions 72 hours past
    /// `not_after` (their refresh tokens and AMR claims go by cascade);
    /// SAML relay states, flow states, OAuth client states and MFA
    /// challenges older than 24 hours; unverified MFA factors older than
    /// 24 hours; WebAuthn challenges past `expires_at`. And, which GoTrue
    /// never does, audit log entries older than the retention.
    static func supabaseRules(_ settings: AuthPresetSettings) -> [PresetTableRule] {
        let day = 86_400
        func olderThan(_ table: String, _ column: String, _ seconds: Int, optional: Bool, _ summary: String) -> PresetTableRule {
            PresetTableRule(preset: .supabase, table: table, optional: optional, summary: summary, otherGrants: []) { catalog, zone throws(JobError) in
                try .presetRule(table: table, catalog: catalog, wallClockZone: zone, cutoff: (column, seconds)) { terms throws(JobError) in
                    try terms.before(column, secondsAgo: seconds)
                }
            }
        }
        return [
            PresetTableRule(
                preset: .supabase, table: "auth.refresh_tokens", optional: false, summary: "revoked refresh tokens not updated for 24 hours",
                otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "auth.refresh_tokens", catalog: catalog, wallClockZone: zone) { terms throws(JobError) in
                    "\"revoked\" IS TRUE AND \(try terms.before("updated_at", secondsAgo: day))"
                }
            },
            olderThan("auth.sessions", "not_after", 3 * day, optional: false, "sessions 72 hours past their not_after"),
            olderThan("auth.saml_relay_states", "created_at", day, optional: true, "SAML relay states older than 24 hours"),
            olderThan("auth.flow_state", "created_at", day, optional: true, "flow states older than 24 hours"),
            olderThan("auth.oauth_client_states", "created_at", day, optional: true, "OAuth client states older than 24 hours"),
            olderThan("auth.mfa_challenges", "created_at", day, optional: true, "MFA challenges older than 24 hours"),
            PresetTableRule(
                preset: .supabase, table: "auth.mfa_factors", optional: true, summary: "unverified MFA factors older than 24 hours", otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "auth.mfa_factors", catalog: catalog, wallClockZone: zone) { terms throws(JobError) in
                    "\"status\"::text = 'unverified' AND \(try terms.before("created_at", secondsAgo: day))"
                }
            },
            olderThan("auth.webauthn_challenges", "expires_at", 0, optional: true, "WebAuthn challenges past their expiry"),
            olderThan(
                "auth.audit_log_entries", "created_at", settings.supabaseAuditLogRetentionDays * day, optional: false,
                "audit log entries older than \(settings.supabaseAuditLogRetentionDays) days (GoTrue keeps them for ever)"),
        ]
    }
}
