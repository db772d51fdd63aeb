-- Lucia v3 (lucia 3.2.2, @lucia-auth/adapter-postgresql 3.1.2), PostgreSQL adapter, documented schema.
-- source: github lucia-auth/lucia, branch v3 at commit fc016ca8deb62b1925298ac2625254afa5ae1531
--   (stored copy has no tags), docs/pages/database/postgresql.md, section "Schema"
--   (file last changed in 46ebc6a3a7820c6f812be79bef6ede65e353a0b1 "Docs: Fix SQL (#1699)").
-- how produced: copied verbatim from the documented CREATE TABLE statements (no generator involved).
--   The adapter takes the table names as options; the docs use "auth_user" and "user_session".
--   The adapter's own test (packages/adapter-postgresql/tests/node-postgres.ts, same commit) uses
--   public.user / public.session with the same column types (expires_at TIMESTAMPTZ NOT NULL).
-- expiry rule: lucia-auth/lucia@fc016ca8, packages/lucia/src/date.ts, isWithinExpirationDate():
--   `return Date.now() < date.getTime()`; packages/lucia/src/core.ts, Lucia.validateSession() (line 119 ff.):
--   `if (!isWithinExpirationDate(databaseSession.expiresAt)) { deleteSession(...); return null }`.
--   A session is valid iff now < expires_at, i.e. EXPIRED iff expires_at <= now.
--   Clock: the Node process clock (Date.now(), milliseconds). Column is TIMESTAMPTZ, so the instant is exact.
--   Default lifetime: sessionExpiresIn = new TimeSpan(30, "d") (core.ts line 79); sliding: when less than
--   half the lifetime (15 days) remains, validateSession() sets expires_at = now + 30 days.
-- cleanup: lucia-auth/lucia@fc016ca8, packages/adapter-postgresql/src/base.ts,
--   PostgreSQLAdapter.deleteExpiredSessions() (line 83), called by Lucia.deleteExpiredSessions():
--   DELETE FROM "user_session" WHERE expires_at <= $1   with $1 = new Date() (Node clock, sent by the driver)
--   (table name is the escaped configured name: `"` + name + `"` unless it contains a dot).
CREATE TABLE auth_user (
    id TEXT PRIMARY KEY
);

CREATE TABLE user_session (
    id TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL,
    user_id TEXT NOT NULL REFERENCES auth_user(id)
);
