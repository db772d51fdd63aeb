/// The meaning of each configuration key, for the reference
/// (`ConfigurationReference`): its page in docs/, `authsweep config
/// --reference`. A key without one fails ConfigurationReferenceTests.
extension ConfigurationReference {
    static let meanings: [String: String] = [
        "session.preset":
            "whose session table this is: `authjs-prisma`, `authjs-drizzle`, `better-auth`, `lucia`, `django`, `laravel` or `rails` (see docs/frameworks/); it sets the `session.*` names, the rule and the verification-token table; a name you set yourself (in the file or the environment) wins over the preset's",
        "session.lifetime_minutes":
            "for the presets whose column holds the last activity: how long a session stays active after it; none: the preset's (120 for laravel, 43200 for rails)",
        "session.column_time_zone":
            "the IANA zone whose wall time the application writes into a `timestamp without time zone` rule column (see docs/frameworks/common.md)",
        "session.max_age_minutes":
            "an absolute lifetime: sessions created longer ago are expired whatever their activity (needs `session.created_at`)",
        "login_attempts.table":
            "cleanup-auth's login attempts table",
        "login_attempts.created_at":
            "its creation column, compared with auth.retention_hours",
        "auth_audit_log.table":
            "cleanup-auth's auth audit log table",
        "auth_audit_log.created_at":
            "its creation column, compared with auth.retention_hours",
        "user_sessions.table":
            "cleanup-auth's user sessions table",
        "user_sessions.expires_at":
            "its expiry column",
        "user_sessions.revoked_at":
            "its revocation column (NULL while the session is live)",
        "session.table":
            "the session table (the preset's; for authjs-prisma \"Session\")",
        "session.id":
            "its key column",
        "session.token":
            "its session token column",
        "session.user_id":
            "its user column (empty: the table has none)",
        "session.expires":
            "its rule column: the expiry, or the last activity for laravel and rails",
        "session.created_at":
            "the session table's creation column, for `session.max_age_minutes`",
        "verification_token.table":
            "the verification tokens that cleanup-sessions deletes once expired (the preset's; empty for none), where the table exists and the role may delete from it",
        "verification_token.expires":
            "their expiry column",
        "user.table":
            "the users table the administration commands change (never the workers)",
        "user.id":
            "its key column",
        "user.name":
            "its name column",
        "user.email":
            "its e-mail column",
        "user.role":
            "its role column (used where it exists)",
        "audit_log.table":
            "the contract's audit log, written where it exists (each cleanup-sessions run, each administration change)",
        "audit_log.id":
            "its key column",
        "audit_log.user_id":
            "the acting user's column",
        "audit_log.action":
            "the action's column",
        "audit_log.details":
            "the details' column (JSON)",
        "audit_log.created_at":
            "its creation column",
        "auth.retention_hours":
            "cleanup-auth deletes login attempts and auth audit entries older than this",
        "session.expired_retention_hours":
            "keep expired sessions (and expired `user_sessions` rows) this long past their expiry; `stats` still counts them as expired",
        "session.revoked_retention_hours":
            "keep revoked `user_sessions` rows this long past their revocation (refresh-token reuse detection looks for them); 0 deletes them at the next run",
        "cleanup.batch_size":
            "rows per batch; each batch is one short transaction. Smaller spares an application's tail latency during a large cleanup, at the cleanup's speed (see docs/performance.md)",
        "cleanup.http_time_budget_seconds":
            "an HTTP run stops between batches after this, answering `\"hasMore\":true`",
        "cleanup.cli_time_budget_seconds":
            "the same for the CLI; 0 is no budget (`--time-budget` overrides)",
        "cleanup.lease_seconds":
            "how long a run's lease outlives its last batch when the run cannot release it (killed behind a pooler); keep it above the statement timeout (see Scaling out)",
        "cleanup.max_replica_lag_ms":
            "before each batch, wait while a streaming standby's replay lags more than this; 0 for no bound; needs `pg_read_all_stats` (see docs/database.md)",
        "database.statement_timeout_ms":
            "`statement_timeout` of every transaction (set with `SET LOCAL`, never for the session)",
        "database.lock_timeout_ms":
            "`lock_timeout` of every transaction: the longest wait for a table another transaction locks (a migration). Rows the application holds are found and left without waiting (see Cleanup)",
        "database.connect_timeout_seconds":
            "libpq `connect_timeout`, unless `PGCONNECT_TIMEOUT` is set",
        "serve.read_timeout_seconds":
            "a web-server connection that has not delivered a whole request (or taken its answer) this long after it started is closed",
        "serve.max_params_bytes":
            "most bytes of FastCGI parameters in one request; more closes the connection (checked at start against the host's socket buffers)",
        "serve.max_params":
            "most FastCGI parameters in one request",
        "serve.max_unfinished_bytes":
            "most bytes the unfinished requests of all connections hold together; beyond it the one begun first is closed. The connection limit is one per 16 KiB of it. At least four of the largest requests `serve.max_params_bytes` allows",
        "auth.enabled":
            "run cleanup-auth at all (`cleanup-all`, `status`); `auto`: where one of its tables exists",
        "sessions.enabled":
            "run cleanup-sessions at all (`cleanup-all`, `status`)",
        "login_attempts.enabled":
            "clean the login attempts in cleanup-auth",
        "auth_audit_log.enabled":
            "clean the auth audit log in cleanup-auth",
        "user_sessions.enabled":
            "clean the user sessions in cleanup-auth",
        "auth.presets":
            "the frameworks whose own auth tables cleanup-auth also cleans, comma-separated: `django-oauth-toolkit`, `simplejwt`, `doorkeeper`, `laravel-password-resets`, `django-axes`, `supabase` (see Other auth tables)",
        "auth.django_oauth_toolkit.refresh_token_expire_seconds":
            "django-oauth-toolkit's `REFRESH_TOKEN_EXPIRE_SECONDS`",
        "auth.django_oauth_toolkit.refresh_token_grace_period_seconds":
            "django-oauth-toolkit's `REFRESH_TOKEN_GRACE_PERIOD_SECONDS`",
        "auth.django_oauth_toolkit.refresh_token_reuse_protection":
            "django-oauth-toolkit's `REFRESH_TOKEN_REUSE_PROTECTION`",
        "auth.doorkeeper.access_token_expires_in_seconds":
            "Doorkeeper's `access_token_expires_in`",
        "auth.doorkeeper.authorization_code_expires_in_seconds":
            "Doorkeeper's `authorization_code_expires_in`",
        "auth.laravel.password_reset_expire_minutes":
            "Laravel's `auth.passwords.users.expire`",
        "auth.django_axes.log_age_days":
            "`axes_reset_logs --age`",
        "auth.supabase.audit_log_retention_days":
            "Supabase's `auth.audit_log_entries` older than this go",
        "monitor.ping_url":
            "base URL of dead-man pings (see docs/monitoring.md)",
        "monitor.ping_style":
            "`healthchecks` (`/<job>/start`, `/<job>`, `/<job>/fail`) or `cronitor` (`/<job>?state=run`, `complete` or `fail`)",
        "monitor.stale_after_hours":
            "`status` calls an enabled job stale after this long without a success (fractions allowed)",
        "serve.listen":
            "listen addresses, comma-separated, when `--listen` is not given",
        "serve.socket_mode":
            "mode of a unix socket the worker creates",
        "serve.socket_group":
            "group of that socket",
        "serve.threads":
            "responder threads",
        "cleanup.scan":
            "`auto`, `index` or `sweep`: how a cleanup walks a table (see docs/database.md)",
        "cleanup.pace":
            "`fast` or `gentle`: batches back to back, or short statements with pauses that grow while the application is busy (see docs/database.md and docs/performance.md)",
        "cleanup.partitions":
            "for a table range-partitioned on its rule column: `drop` removes the partitions lying wholly before the cutoff in one statement (their rows counted as deleted; the role must own them), `detach` detaches them and keeps them as tables of their own, `rows` deletes their rows batch by batch (see docs/database.md)",
        "log.level":
            "`serve`'s log level. The one-shot commands print only their one-line failure unless `--log-level` is given, except under systemd: with stderr the journal (the timer's runs), they log warnings too, and the failure at `err` priority; from cron or a terminal, give `--log-level warning` to see warnings",
    ]
}
