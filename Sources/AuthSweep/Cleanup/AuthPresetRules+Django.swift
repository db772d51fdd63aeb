import Postgres

/// The rules of the Django apps' own purge commands.
extension AuthPreset {
    /// django-oauth-toolkit 3.4.1, `oauth2_provider/models.py` `clear_expired()`:
    /// refresh tokens revoked by now (less the grace period), or whose
    /// access token is gone, or (with `REFRESH_TOKEN_EXPIRE_SECONDS`) whose
    /// access token expired that long ago; then expired access tokens no
    /// refresh token refers to; then expired ID tokens no access token
    /// refers to; then expired grants. Django's foreign keys have no
    /// `ON DELETE`: the ORM clears `source_refresh_token` of the access
    /// tokens rotated from a deleted refresh token, and `access_token` of a
    /// refresh token whose access token goes; so does the statement here.
    static func oauthToolkitRules(_ settings: AuthPresetSettings) -> [PresetTableRule] {
        [
            oauthToolkitRefreshTokenRule(settings),
            PresetTableRule(
                preset: .djangoOAuthToolkit, table: "oauth2_provider_accesstoken", optional: false,
                summary: "expired access tokens that no refresh token refers to", otherGrants: [("oauth2_provider_refreshtoken", ["SELECT", "UPDATE"])]
            ) { catalog, zone throws(JobError) in
                try .presetRule(
                    table: "oauth2_provider_accesstoken", catalog: catalog, wallClockZone: zone,
                    dependents: [try .referring(to: "id", from: "oauth2_provider_refreshtoken", "access_token_id", .clearReference, catalog)]
                ) { terms throws(JobError) in
                    """
                    \(try terms.before("expires", secondsAgo: 0)) AND NOT EXISTS (
                        SELECT 1 FROM "oauth2_provider_refreshtoken" r WHERE r."access_token_id" = "oauth2_provider_accesstoken"."id")
                    """
                }
            },
            PresetTableRule(
                preset: .djangoOAuthToolkit, table: "oauth2_provider_idtoken", optional: true,
                summary: "expired ID tokens that no access token refers to",
                otherGrants: [("oauth2_provider_accesstoken", ["SELECT"])]
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "oauth2_provider_idtoken", catalog: catalog, wallClockZone: zone) { terms throws(JobError) in
                    """
                    \(try terms.before("expires", secondsAgo: 0)) AND NOT EXISTS (
                        SELECT 1 FROM "oauth2_provider_accesstoken" a WHERE a."id_token_id" = "oauth2_provider_idtoken"."id")
                    """
                }
            },
            PresetTableRule(
                preset: .djangoOAuthToolkit, table: "oauth2_provider_grant", optional: false, summary: "expired grants (authorization codes)",
                otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "oauth2_provider_grant", catalog: catalog, wallClockZone: zone, cutoff: ("expires", 0)) { terms throws(JobError) in
                    try terms.before("expires", secondsAgo: 0)
                }
            },
        ]
    }

    /// The refresh tokens' rule: its steps 1 to 3, one condition.
    private static func oauthToolkitRefreshTokenRule(_ settings: AuthPresetSettings) -> PresetTableRule {
        let expire = settings.oauthToolkitRefreshTokenExpireSeconds
        // reuse protection keeps revoked tokens as long as live ones may be used.
        let revokedAge: Int? = settings.oauthToolkitRefreshTokenReuseProtection ? expire : settings.oauthToolkitRefreshTokenGracePeriodSeconds
        return PresetTableRule(
            preset: .djangoOAuthToolkit, table: "oauth2_provider_refreshtoken", optional: false,
            summary: "refresh tokens revoked, or whose access token is gone" + (expire == nil ? "" : " or expired"),
            otherGrants: [("oauth2_provider_accesstoken", ["SELECT", "UPDATE"])]
        ) { catalog, zone throws(JobError) in
            try .presetRule(
                table: "oauth2_provider_refreshtoken", catalog: catalog, wallClockZone: zone,
                dependents: [try .referring(to: "id", from: "oauth2_provider_accesstoken", "source_refresh_token_id", .clearReference, catalog)]
            ) { terms throws(JobError) in
                var rules: [SQLQuery] = [#"("revoked" IS NULL AND "access_token_id" IS NULL)"#]
                if let revokedAge { rules.append(try terms.before("revoked", secondsAgo: revokedAge, orAt: true)) }
                if let expire {
                    rules.append(
                        """
                        ("revoked" IS NULL AND EXISTS (SELECT 1 FROM "oauth2_provider_accesstoken" a
                            WHERE a."id" = "oauth2_provider_refreshtoken"."access_token_id"
                              AND a."expires" <= \(try RuleTerms(catalog: catalog, table: "oauth2_provider_accesstoken", wallClockZone: zone, planning: terms.planning).ago(expire, on: "expires"))))
                        """)
                }
                return "(\(SQLQuery.joined(rules, separator: " OR ")))"
            }
        }
    }

    /// djangorestframework-simplejwt 5.5.1, `flushexpiredtokens`:
    /// outstanding tokens expired by now, each with its blacklist row (the
    /// ORM's cascade; the foreign key has no `ON DELETE`).
    static var simplejwtRules: [PresetTableRule] {
        [
            PresetTableRule(
                preset: .simplejwt, table: "token_blacklist_outstandingtoken", optional: false,
                summary: "outstanding tokens expired by now, with their blacklist rows",
                otherGrants: [("token_blacklist_blacklistedtoken", ["SELECT", "DELETE"])]
            ) { catalog, zone throws(JobError) in
                try .presetRule(
                    table: "token_blacklist_outstandingtoken", catalog: catalog, wallClockZone: zone,
                    dependents: [try .referring(to: "id", from: "token_blacklist_blacklistedtoken", "token_id", .delete, catalog)]
                ) { terms throws(JobError) in
                    try terms.before("expires_at", secondsAgo: 0, orAt: true)
                }
            }
        ]
    }

    /// django-axes 8.3.1, `axes_reset_logs`: access log rows whose attempt
    /// is at least `--age` days old (attempts and failure logs stay).
    static func axesRules(_ settings: AuthPresetSettings) -> [PresetTableRule] {
        let age = settings.axesLogAgeDays * 86_400
        return [
            PresetTableRule(
                preset: .djangoAxes, table: "axes_accesslog", optional: false, summary: "access logs \(settings.axesLogAgeDays) days old or older",
                otherGrants: []
            ) { catalog, zone throws(JobError) in
                try .presetRule(table: "axes_accesslog", catalog: catalog, wallClockZone: zone, cutoff: ("attempt_time", age)) {
                    terms throws(JobError) in try terms.before("attempt_time", secondsAgo: age, orAt: true)
                }
            }
        ]
    }

}
