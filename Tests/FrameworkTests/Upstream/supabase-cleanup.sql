-- Supabase Auth (GoTrue)'s own cleanup: the DELETE statements of
-- internal/models/cleanup.go at github.com/supabase/auth commit
-- bc32168e13fdc928c98b449fc76bc3fdb9a293c5 (v2.196.0 + 2 commits; the file
-- last changed in 0a5eb957407f, first released in v2.188.0), at GoTrue's
-- default settings (no GOTRUE_SESSIONS_TIMEBOX, no
-- GOTRUE_SESSIONS_INACTIVITY_TIMEOUT, anonymous sign-ins off). Upstream
-- builds each from unqualified names under search_path = auth; here they
-- are qualified, their conditions, limits and order verbatim.
--
-- GoTrue runs one of them after each successful POST/PUT/PATCH/DELETE
-- request (round robin, each in its own transaction, only with
-- GOTRUE_DB_CLEANUP_ENABLED=true); SupabaseAuthPresetTests runs each until
-- it deletes nothing, which empties what all the requests of a day would.
-- Left out: the statement that is no DELETE (an UPDATE marking the live
-- refresh tokens of sessions 24 hours past not_after revoked; those
-- sessions, and their tokens by cascade, go 72 hours past it).
-- One statement per line, blank lines and comments between.

DELETE FROM auth.refresh_tokens WHERE id IN (SELECT id FROM auth.refresh_tokens WHERE revoked IS TRUE AND updated_at < now() - interval '24 hours' LIMIT 100 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.sessions WHERE id IN (SELECT id FROM auth.sessions WHERE not_after < now() - interval '72 hours' LIMIT 10 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.saml_relay_states WHERE id IN (SELECT id FROM auth.saml_relay_states WHERE created_at < now() - interval '24 hours' LIMIT 100 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.flow_state WHERE id IN (SELECT id FROM auth.flow_state WHERE created_at < now() - interval '24 hours' LIMIT 100 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.oauth_client_states WHERE id IN (SELECT id FROM auth.oauth_client_states WHERE created_at < now() - interval '24 hours' LIMIT 100 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.mfa_challenges WHERE id IN (SELECT id FROM auth.mfa_challenges WHERE created_at < now() - interval '24 hours' LIMIT 100 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.mfa_factors WHERE id IN (SELECT id FROM auth.mfa_factors WHERE created_at < now() - interval '24 hours' AND status = 'unverified' LIMIT 100 FOR UPDATE SKIP LOCKED);

DELETE FROM auth.webauthn_challenges WHERE id IN (SELECT id FROM auth.webauthn_challenges WHERE expires_at < now() LIMIT 100 FOR UPDATE SKIP LOCKED);
