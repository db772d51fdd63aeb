extension ConfigurationKeys {
    /// `auth.presets` and the settings of the frameworks' own purge
    /// commands, named after those settings.
    static let authPresetKeys: [Setting] = [
        Setting(
            key: "auth.presets",
            apply: { configuration, value in
                var presets: [AuthPreset] = []
                for name in value.split(separator: ",").map({ String($0.split(whereSeparator: \.isWhitespace).joined()) }) where !name.isEmpty {
                    guard let preset = AuthPreset(rawValue: name) else {
                        throw InvalidValue(
                            message: "names no auth preset: '\(name)' (the auth presets: \(AuthPreset.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    if !presets.contains(preset) { presets.append(preset) }
                }
                configuration.authPresets = presets
            }, current: { $0.authPresets.map(\.rawValue).joined(separator: ",") }),
        Setting(
            key: "auth.django_oauth_toolkit.refresh_token_expire_seconds",
            apply: { configuration, value in
                // Empty: refresh tokens never expire by age (the framework's default).
                configuration.authPresetSettings.oauthToolkitRefreshTokenExpireSeconds = value.isEmpty ? nil : try integer(value, in: 1...315_360_000)
            }, current: { $0.authPresetSettings.oauthToolkitRefreshTokenExpireSeconds.map(String.init) ?? "" }),
        number(
            "auth.django_oauth_toolkit.refresh_token_grace_period_seconds", \.authPresetSettings.oauthToolkitRefreshTokenGracePeriodSeconds, 0...315_360_000),
        flag("auth.django_oauth_toolkit.refresh_token_reuse_protection", \.authPresetSettings.oauthToolkitRefreshTokenReuseProtection),
        number("auth.doorkeeper.access_token_expires_in_seconds", \.authPresetSettings.doorkeeperAccessTokenExpiresInSeconds, 1...315_360_000),
        number("auth.doorkeeper.authorization_code_expires_in_seconds", \.authPresetSettings.doorkeeperAuthorizationCodeExpiresInSeconds, 1...315_360_000),
        number("auth.laravel.password_reset_expire_minutes", \.authPresetSettings.laravelPasswordResetExpireMinutes, 1...5_256_000),
        number("auth.django_axes.log_age_days", \.authPresetSettings.axesLogAgeDays, 1...36_500),
        number("auth.supabase.audit_log_retention_days", \.authPresetSettings.supabaseAuditLogRetentionDays, 1...36_500),
    ]
}
