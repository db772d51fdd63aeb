-- =============================================================================
-- Supabase Auth (GoTrue) schema subset for the authsweep `supabase` preset:
-- the tables of its own cleanup (supabase-cleanup.sql) as GoTrue makes them.
--
-- Assembled by hand from the upstream migrations of github.com/supabase/auth
-- at commit bc32168e13fdc928c98b449fc76bc3fdb9a293c5 (v2.196.0 + 2 commits,
-- 2026-08-20). Upstream templates use {{ index .Options "Namespace" }}; the
-- default namespace is "auth" (conf.DBConfiguration.Namespace default:"auth").
--
-- Each object is shown in the FINAL state that the whole migration sequence
-- leaves it in. Comments give the migration file(s) each piece comes from
-- (all under migrations/ in the upstream repo).
--
-- What is here: every table that internal/models/cleanup.go touches, every
-- table that cascades from them, auth.audit_log_entries, and reduced
-- versions of the tables that are only FK targets (users, oauth_clients,
-- sso_providers). Tables marked "REDUCED" do not have every upstream column.
-- Deliberately left out: identities, instances, schema_migrations,
-- saml_providers, sso_domains, oauth_authorizations, oauth_consents,
-- webauthn_credentials, custom_oauth_providers, SQL functions, RLS, grants.
--
-- Watch the column types (they matter for time comparisons):
--   * almost everything is timestamptz;
--   * sessions.refreshed_at is "timestamp without time zone" (GoTrue writes
--     UTC wall-clock time into it; see Session.UpdateOnlyRefreshInfo);
--   * one_time_tokens.created_at/updated_at are "timestamp without time zone".
--   * refresh_tokens.user_id is varchar(255) with NO foreign key to users.
--
-- SupabaseAuthPresetTests runs it on the test PostgreSQL.
-- =============================================================================

CREATE SCHEMA IF NOT EXISTS auth;

-- -----------------------------------------------------------------------------
-- Enum types
-- -----------------------------------------------------------------------------

-- 20221003041349_add_mfa_schema.up.sql
-- + 20240729123726_add_mfa_phone_config.up.sql (ALTER TYPE ... ADD VALUE 'phone')
CREATE TYPE auth.factor_type   AS ENUM ('totp', 'webauthn', 'phone');
CREATE TYPE auth.factor_status AS ENUM ('unverified', 'verified');
CREATE TYPE auth.aal_level     AS ENUM ('aal1', 'aal2', 'aal3');

-- 20230322519590_add_flow_state_table.up.sql
CREATE TYPE auth.code_challenge_method AS ENUM ('s256', 'plain');

-- 20240427152123_add_one_time_tokens_table.up.sql
CREATE TYPE auth.one_time_token_type AS ENUM (
    'confirmation_token',
    'reauthentication_token',
    'recovery_token',
    'email_change_token_new',
    'email_change_token_current',
    'phone_change_token'
);

-- -----------------------------------------------------------------------------
-- auth.users  (REDUCED: FK target plus the columns that cleanup and
-- token validation read)
-- -----------------------------------------------------------------------------
-- 00_init_auth_schema.up.sql:
--   instance_id uuid NULL, id uuid NOT NULL UNIQUE, aud varchar(255),
--   "role" varchar(255), email varchar(255) NULL UNIQUE, encrypted_password,
--   ... created_at timestamptz NULL, updated_at timestamptz NULL,
--   CONSTRAINT users_pkey PRIMARY KEY (id)
-- 20210710035447_alter_users.up.sql: phone varchar(15) NULL UNIQUE (...)
-- 20230116124310_alter_phone_type.up.sql: phone -> text
-- 20220114185340_add_banned_until.up.sql: banned_until timestamptz NULL
-- 20221215195500_modify_users_email_unique_index.up.sql: is_sso_user boolean not
--   null default false; drops users_email_key; adds users_email_partial_key
-- 20230116124412_add_deleted_at.up.sql: deleted_at timestamptz null
-- 20240214120130_add_is_anonymous_column.up.sql: is_anonymous boolean not null
--   default false + users_is_anonymous_idx
-- NOTE: GoTrue looks users up with "instance_id = '00000000-0000-0000-0000-000000000000'
--   and id = ?" (models.FindUserByID), so fixtures must use the nil UUID
--   for instance_id, not NULL.
CREATE TABLE auth.users (
    instance_id        uuid NULL,
    id                 uuid NOT NULL UNIQUE,
    aud                varchar(255) NULL,
    "role"             varchar(255) NULL,
    email              varchar(255) NULL,
    encrypted_password varchar(255) NULL,
    email_confirmed_at timestamptz NULL,   -- renamed from confirmed_at (20210710035447)
    last_sign_in_at    timestamptz NULL,
    raw_app_meta_data  jsonb NULL,
    raw_user_meta_data jsonb NULL,
    created_at         timestamptz NULL,
    updated_at         timestamptz NULL,
    phone              text NULL UNIQUE DEFAULT NULL,
    banned_until       timestamptz NULL,
    is_sso_user        boolean NOT NULL DEFAULT false,
    deleted_at         timestamptz NULL,
    is_anonymous       boolean NOT NULL DEFAULT false,
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE INDEX users_instance_id_idx ON auth.users USING btree (instance_id);          -- 00_init
CREATE INDEX users_instance_id_email_idx ON auth.users USING btree (instance_id, lower(email)); -- 20220114185221
CREATE UNIQUE INDEX users_email_partial_key ON auth.users (email) WHERE (is_sso_user = false); -- 20221215195500
CREATE INDEX users_is_anonymous_idx ON auth.users USING btree (is_anonymous);        -- 20240214120130

-- -----------------------------------------------------------------------------
-- auth.oauth_clients  (REDUCED: only an FK target for sessions.oauth_client_id)
-- -----------------------------------------------------------------------------
-- 20250731150234_add_oauth_clients_table.up.sql (+ 20250901200500,
-- 20250903112500, 20260121000000 add or remove columns not needed here)
CREATE TABLE auth.oauth_clients (
    id         uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz NULL,
    CONSTRAINT oauth_clients_pkey PRIMARY KEY (id)
);

-- -----------------------------------------------------------------------------
-- auth.sessions
-- -----------------------------------------------------------------------------
-- 20220811173540_add_sessions_table.up.sql:
--   id uuid not null, user_id uuid not null, created_at timestamptz null,
--   updated_at timestamptz null, sessions_pkey, sessions_user_id_fkey ... on delete cascade
-- 20221003041400_add_aal_and_factor_id_to_sessions.up.sql: factor_id uuid null, aal aal_level null
-- 20221114143122_add_session_not_after_column.up.sql: not_after timestamptz
-- 20231027141322_add_session_refresh_columns.up.sql:
--   refreshed_at timestamp without time zone, user_agent text, ip inet
-- 20231114161723_add_sessions_tag.up.sql: tag text
-- 20250904133000_add_oauth_client_id_to_session.up.sql: oauth_client_id uuid + FK cascade + index
-- 20251007112900_add_session_refresh_token_columns.up.sql:
--   refresh_token_hmac_key text, refresh_token_counter bigint
-- 20251111201300_add_scopes_to_sessions.up.sql: scopes text null + length check
CREATE TABLE auth.sessions (
    id                     uuid NOT NULL,
    user_id                uuid NOT NULL,
    created_at             timestamptz NULL,
    updated_at             timestamptz NULL,
    factor_id              uuid NULL,
    aal                    auth.aal_level NULL,
    not_after              timestamptz NULL,
    refreshed_at           timestamp without time zone NULL,
    user_agent             text NULL,
    ip                     inet NULL,
    tag                    text NULL,
    oauth_client_id        uuid NULL,
    refresh_token_hmac_key text NULL,
    refresh_token_counter  bigint NULL,
    scopes                 text NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES auth.users (id) ON DELETE CASCADE,
    CONSTRAINT sessions_oauth_client_id_fkey FOREIGN KEY (oauth_client_id)
        REFERENCES auth.oauth_clients (id) ON DELETE CASCADE,
    CONSTRAINT sessions_scopes_length CHECK (char_length(scopes) <= 4096)
);
COMMENT ON COLUMN auth.sessions.not_after IS 'Auth: Not after is a nullable column that contains a timestamp after which the session should be regarded as expired.';
CREATE INDEX user_id_created_at_idx      ON auth.sessions (user_id, created_at);  -- 20221011041400_add_mfa_indexes
CREATE INDEX sessions_user_id_idx        ON auth.sessions (user_id);              -- 20221020193600_add_sessions_user_id_index
CREATE INDEX sessions_not_after_idx      ON auth.sessions (not_after DESC);       -- 20230508135423_add_cleanup_indexes
CREATE INDEX sessions_oauth_client_id_idx ON auth.sessions (oauth_client_id);     -- 20250904133000

-- -----------------------------------------------------------------------------
-- auth.refresh_tokens
-- -----------------------------------------------------------------------------
-- 00_init_auth_schema.up.sql:
--   instance_id uuid NULL, id bigserial NOT NULL, "token" varchar(255) NULL,
--   user_id varchar(255) NULL, revoked bool NULL, created_at timestamptz NULL,
--   updated_at timestamptz NULL, refresh_tokens_pkey
-- 20210927181326_add_refresh_token_parent.up.sql: parent varchar(255) NULL,
--   refresh_tokens_token_unique UNIQUE(token), refresh_tokens_parent_fkey (later dropped),
--   refresh_tokens_parent_idx
-- 20220811173540_add_sessions_table.up.sql: session_id uuid null,
--   refresh_tokens_session_id_fkey ... references sessions(id) on delete cascade
-- 20221114143410_remove_parent_foreign_key_refresh_tokens.up.sql: drops refresh_tokens_parent_fkey
-- 20230411005111_remove_duplicate_idx.up.sql: drops refresh_tokens_token_idx
-- NOTE: user_id has NO FK to users. Rows with session_id IS NULL (from before
--   sessions existed) are not removed when their user is deleted.
CREATE TABLE auth.refresh_tokens (
    instance_id uuid NULL,
    id          bigserial NOT NULL,
    "token"     varchar(255) NULL,
    user_id     varchar(255) NULL,
    revoked     bool NULL,
    created_at  timestamptz NULL,
    updated_at  timestamptz NULL,
    parent      varchar(255) NULL,
    session_id  uuid NULL,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT refresh_tokens_token_unique UNIQUE ("token"),
    CONSTRAINT refresh_tokens_session_id_fkey FOREIGN KEY (session_id)
        REFERENCES auth.sessions (id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_instance_id_idx         ON auth.refresh_tokens USING btree (instance_id);          -- 00_init
CREATE INDEX refresh_tokens_instance_id_user_id_idx ON auth.refresh_tokens USING btree (instance_id, user_id); -- 00_init
CREATE INDEX refresh_tokens_parent_idx              ON auth.refresh_tokens USING btree (parent);               -- 20210927181326
CREATE INDEX refresh_tokens_session_id_revoked_idx  ON auth.refresh_tokens (session_id, revoked);              -- 20221021073300
CREATE INDEX refresh_tokens_updated_at_idx          ON auth.refresh_tokens (updated_at DESC);                  -- 20230508135423_add_cleanup_indexes

-- -----------------------------------------------------------------------------
-- auth.mfa_factors / auth.mfa_challenges / auth.mfa_amr_claims
-- -----------------------------------------------------------------------------
-- 20221003041349_add_mfa_schema.up.sql (base tables)
-- 20240729123726_add_mfa_phone_config.up.sql: mfa_factors.phone text unique default null,
--   mfa_challenges.otp_code text null, unique index unique_verified_phone_factor (user_id, phone)
-- 20240802193726_add_mfa_factors_column_last_challenged_at.up.sql:
--   last_challenged_at timestamptz unique default null
-- 20240806073726_drop_uniqueness_constraint_on_phone.up.sql: drops mfa_factors_phone_key,
--   renames unique_verified_phone_factor -> unique_phone_factor_per_user
-- 20241009103726_add_web_authn.up.sql: web_authn_credential jsonb, web_authn_aaguid uuid,
--   mfa_challenges.web_authn_session_data jsonb
-- 20250925093508_add_last_webauthn_challenge_data.up.sql: last_webauthn_challenge_data jsonb
CREATE TABLE auth.mfa_factors (
    id                           uuid NOT NULL,
    user_id                      uuid NOT NULL,
    friendly_name                text NULL,
    factor_type                  auth.factor_type NOT NULL,
    status                       auth.factor_status NOT NULL,
    created_at                   timestamptz NOT NULL,
    updated_at                   timestamptz NOT NULL,
    secret                       text NULL,
    phone                        text NULL DEFAULT NULL,
    last_challenged_at           timestamptz NULL UNIQUE DEFAULT NULL,
    web_authn_credential         jsonb NULL,
    web_authn_aaguid             uuid NULL,
    last_webauthn_challenge_data jsonb NULL,
    CONSTRAINT mfa_factors_pkey PRIMARY KEY (id),
    CONSTRAINT mfa_factors_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES auth.users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX mfa_factors_user_friendly_name_unique ON auth.mfa_factors (friendly_name, user_id)
    WHERE trim(friendly_name) <> '';                                                 -- 20221003041349
CREATE INDEX factor_id_created_at_idx ON auth.mfa_factors (user_id, created_at);     -- 20221011041400
CREATE INDEX mfa_factors_user_id_idx ON auth.mfa_factors (user_id);                  -- 20230914180801
CREATE UNIQUE INDEX unique_phone_factor_per_user ON auth.mfa_factors (user_id, phone); -- 20240729123726 + 20240806073726

CREATE TABLE auth.mfa_challenges (
    id                     uuid NOT NULL,
    factor_id              uuid NOT NULL,
    created_at             timestamptz NOT NULL,
    verified_at            timestamptz NULL,
    ip_address             inet NOT NULL,
    otp_code               text NULL,
    web_authn_session_data jsonb NULL,
    CONSTRAINT mfa_challenges_pkey PRIMARY KEY (id),
    CONSTRAINT mfa_challenges_auth_factor_id_fkey FOREIGN KEY (factor_id)
        REFERENCES auth.mfa_factors (id) ON DELETE CASCADE
);
CREATE INDEX mfa_challenge_created_at_idx ON auth.mfa_challenges (created_at DESC); -- 20230523124323

-- 20221003041349_add_mfa_schema.up.sql + 20221011041400_add_mfa_indexes.up.sql (id + amr_id_pk)
CREATE TABLE auth.mfa_amr_claims (
    session_id            uuid NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    authentication_method text NOT NULL,
    id                    uuid NOT NULL,
    CONSTRAINT mfa_amr_claims_session_id_authentication_method_pkey UNIQUE (session_id, authentication_method),
    CONSTRAINT mfa_amr_claims_session_id_fkey FOREIGN KEY (session_id)
        REFERENCES auth.sessions (id) ON DELETE CASCADE,
    CONSTRAINT amr_id_pk PRIMARY KEY (id)
);

-- -----------------------------------------------------------------------------
-- auth.flow_state
-- -----------------------------------------------------------------------------
-- 20230322519590_add_flow_state_table.up.sql (base; idx_auth_code)
-- 20230402418590_add_authentication_method_to_flow_state_table.up.sql:
--   authentication_method text not null; idx_user_id_auth_method
-- 20240306115329_add_issued_at_to_flow_state.up.sql: auth_code_issued_at timestamptz null
-- 20260115000000_add_flow_state_oauth_context.up.sql: invite_token, referrer,
--   oauth_client_state_id, linking_target_id, email_optional; code_challenge,
--   code_challenge_method, auth_code become NULLable
-- NOTE: user_id has no FK, so deleting a user does not remove flow_state rows.
CREATE TABLE auth.flow_state (
    id                     uuid PRIMARY KEY,
    user_id                uuid NULL,
    auth_code              text NULL,
    code_challenge_method  auth.code_challenge_method NULL,
    code_challenge         text NULL,
    provider_type          text NOT NULL,
    provider_access_token  text NULL,
    provider_refresh_token text NULL,
    created_at             timestamptz NULL,
    updated_at             timestamptz NULL,
    authentication_method  text NOT NULL,
    auth_code_issued_at    timestamptz NULL,
    invite_token           text NULL,
    referrer               text NULL,
    oauth_client_state_id  uuid NULL,
    linking_target_id      uuid NULL,
    email_optional         boolean NOT NULL DEFAULT false
);
CREATE INDEX idx_auth_code ON auth.flow_state (auth_code);                                  -- 20230322519590
CREATE INDEX idx_user_id_auth_method ON auth.flow_state (user_id, authentication_method);   -- 20230402418590
CREATE INDEX flow_state_created_at_idx ON auth.flow_state (created_at DESC);               -- 20230508135423

-- -----------------------------------------------------------------------------
-- auth.sso_providers (REDUCED) / auth.saml_relay_states
-- -----------------------------------------------------------------------------
-- 20221021082433_add_saml.up.sql (+ 20250717082212_add_disabled_to_sso_providers.up.sql)
CREATE TABLE auth.sso_providers (
    id          uuid NOT NULL,
    resource_id text NULL,
    created_at  timestamptz NULL,
    updated_at  timestamptz NULL,
    disabled    boolean NULL,
    PRIMARY KEY (id),
    CONSTRAINT "resource_id not empty" CHECK (resource_id = null OR char_length(resource_id) > 0)
);
CREATE UNIQUE INDEX sso_providers_resource_id_idx ON auth.sso_providers (lower(resource_id));

-- 20221021082433_add_saml.up.sql (base)
-- 20230818113222_add_flow_state_to_relay_state.up.sql: flow_state_id uuid references
--   flow_state(id) on delete cascade default null
-- 20240115144230_remove_ip_address_from_saml_relay_state.up.sql: drops from_ip_address
CREATE TABLE auth.saml_relay_states (
    id              uuid NOT NULL,
    sso_provider_id uuid NOT NULL,
    request_id      text NOT NULL,
    for_email       text NULL,
    redirect_to     text NULL,
    created_at      timestamptz NULL,
    updated_at      timestamptz NULL,
    flow_state_id   uuid NULL DEFAULT NULL REFERENCES auth.flow_state (id) ON DELETE CASCADE,
    PRIMARY KEY (id),
    FOREIGN KEY (sso_provider_id) REFERENCES auth.sso_providers (id) ON DELETE CASCADE,
    CONSTRAINT "request_id not empty" CHECK (char_length(request_id) > 0)
);
CREATE INDEX saml_relay_states_sso_provider_id_idx ON auth.saml_relay_states (sso_provider_id); -- 20221021082433
CREATE INDEX saml_relay_states_for_email_idx ON auth.saml_relay_states (for_email);             -- 20221021082433
CREATE INDEX saml_relay_states_created_at_idx ON auth.saml_relay_states (created_at DESC);      -- 20230508135423

-- -----------------------------------------------------------------------------
-- auth.oauth_client_states
-- -----------------------------------------------------------------------------
-- 20251201000000_add_oauth_client_states_table.up.sql
CREATE TABLE auth.oauth_client_states (
    id            uuid PRIMARY KEY,
    provider_type text NOT NULL,
    code_verifier text,
    created_at    timestamptz NOT NULL
);
CREATE INDEX idx_oauth_client_states_created_at ON auth.oauth_client_states (created_at);

-- -----------------------------------------------------------------------------
-- auth.webauthn_challenges
-- -----------------------------------------------------------------------------
-- 20260302000000_add_passkeys.up.sql  (gen_random_uuid() is built in from PG 13)
CREATE TABLE auth.webauthn_challenges (
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id        uuid REFERENCES auth.users (id) ON DELETE CASCADE,
    challenge_type text NOT NULL CHECK (challenge_type IN ('signup', 'registration', 'authentication')),
    session_data   jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    CONSTRAINT webauthn_challenges_pkey PRIMARY KEY (id)
);
CREATE INDEX webauthn_challenges_user_id_idx ON auth.webauthn_challenges (user_id);
CREATE INDEX webauthn_challenges_expires_at_idx ON auth.webauthn_challenges (expires_at);

-- -----------------------------------------------------------------------------
-- auth.one_time_tokens  (NOT touched by GoTrue's cleanup; included because it
-- cascades from users and is a common "does it get cleaned?" question)
-- -----------------------------------------------------------------------------
-- 20240427152123_add_one_time_tokens_table.up.sql (the hash indexes fall back to btree upstream
-- if hash index creation fails)
CREATE TABLE auth.one_time_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES auth.users ON DELETE CASCADE,
    token_type auth.one_time_token_type NOT NULL,
    token_hash text NOT NULL,
    relates_to text NOT NULL,
    created_at timestamp without time zone NOT NULL DEFAULT now(),
    updated_at timestamp without time zone NOT NULL DEFAULT now(),
    CHECK (char_length(token_hash) > 0)
);
CREATE INDEX one_time_tokens_token_hash_hash_idx ON auth.one_time_tokens USING hash (token_hash);
CREATE INDEX one_time_tokens_relates_to_hash_idx ON auth.one_time_tokens USING hash (relates_to);
CREATE UNIQUE INDEX one_time_tokens_user_id_token_type_key ON auth.one_time_tokens (user_id, token_type);

-- -----------------------------------------------------------------------------
-- auth.audit_log_entries  (GoTrue NEVER deletes from it)
-- -----------------------------------------------------------------------------
-- 00_init_auth_schema.up.sql:
--   instance_id uuid NULL, id uuid NOT NULL, payload json NULL,
--   created_at timestamptz NULL, audit_log_entries_pkey, audit_logs_instance_id_idx
-- 20220614074223_add_ip_address_to_audit_log.postgres.up.sql:
--   ip_address VARCHAR(64) NOT NULL DEFAULT ''
-- NOTE: payload is json (not jsonb). No upstream index on created_at.
CREATE TABLE auth.audit_log_entries (
    instance_id uuid NULL,
    id          uuid NOT NULL,
    payload     json NULL,
    created_at  timestamptz NULL,
    ip_address  varchar(64) NOT NULL DEFAULT '',
    CONSTRAINT audit_log_entries_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_logs_instance_id_idx ON auth.audit_log_entries USING btree (instance_id);
COMMENT ON TABLE auth.audit_log_entries IS 'Auth: Audit trail for user actions.';

-- NOT UPSTREAM: without this index, a retention delete on created_at scans
-- the whole table. Supabase does not ship it. authsweep could offer it as an
-- opt-in (on a live system, use CREATE INDEX CONCURRENTLY, outside a transaction).
-- CREATE INDEX audit_log_entries_created_at_idx ON auth.audit_log_entries (created_at);
