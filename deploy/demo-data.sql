-- Demo rows for deploy/schema.sql: some expired, some active, some revoked,
-- old and new login attempts. Times are relative to now, in UTC.

INSERT INTO "User" (id, name, email, role) VALUES
  ('user-alice', 'Alice Admin', 'alice@example.test', 'ADMIN'),
  ('user-bob',   'Bob Doctor',  'bob@example.test',   'USER'),
  ('user-carol', 'Carol Nurse', 'carol@example.test', 'USER');

-- 42 expired and 108 active NextAuth sessions (the contract's example counts).
INSERT INTO "Session" (id, "sessionToken", "userId", expires)
SELECT 'sess-expired-' || n, md5('expired' || n), (ARRAY['user-alice','user-bob','user-carol'])[1 + n % 3],
       (now() AT TIME ZONE 'UTC') - (n || ' minutes')::interval
FROM generate_series(1, 42) AS n;
INSERT INTO "Session" (id, "sessionToken", "userId", expires)
SELECT 'sess-active-' || n, md5('active' || n), (ARRAY['user-alice','user-bob','user-carol'])[1 + n % 3],
       (now() AT TIME ZONE 'UTC') + (n || ' minutes')::interval
FROM generate_series(1, 108) AS n;

-- Login attempts and auth audit entries: 30 older than 24 h, 20 recent each.
INSERT INTO login_attempts (email, ip_address, success, created_at)
SELECT 'user' || n || '@example.test', '192.0.2.' || n, n % 4 = 0, now() - ((24 + n) || ' hours')::interval
FROM generate_series(1, 30) AS n;
INSERT INTO login_attempts (email, ip_address, success, created_at)
SELECT 'user' || n || '@example.test', '192.0.2.' || n, n % 4 = 0, now() - (n || ' minutes')::interval
FROM generate_series(1, 20) AS n;
INSERT INTO auth_audit_log (user_id, event, ip_address, created_at)
SELECT 'user-bob', 'LOGIN_FAILED', '198.51.100.' || n, now() - ((25 + n) || ' hours')::interval
FROM generate_series(1, 30) AS n;
INSERT INTO auth_audit_log (user_id, event, ip_address, created_at)
SELECT 'user-alice', 'LOGIN_SUCCESS', '198.51.100.' || n, now() - (n || ' minutes')::interval
FROM generate_series(1, 20) AS n;

-- CareNova user sessions: 10 expired, 5 revoked but unexpired, 12 live.
INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at)
SELECT 'user-bob', md5('us-expired' || n), now() - (n || ' hours')::interval, NULL FROM generate_series(1, 10) AS n;
INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at)
SELECT 'user-carol', md5('us-revoked' || n), now() + (n || ' hours')::interval, now() - interval '5 minutes' FROM generate_series(1, 5) AS n;
INSERT INTO user_sessions (user_id, token_hash, expires_at, revoked_at)
SELECT 'user-alice', md5('us-live' || n), now() + (n || ' hours')::interval, NULL FROM generate_series(1, 12) AS n;
