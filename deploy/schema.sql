-- authsweep demo and test schema: the contract's default tables.
-- Loading it DROPS these tables first; never run it against real data.
-- The last table is authsweep's own (as deploy/authsweep-tables.sql creates it).

DROP TABLE IF EXISTS login_attempts, auth_audit_log, user_sessions, "User", "Session", "AuditLog", authsweep_jobs CASCADE;

-- CareNova-style authentication tables
CREATE TABLE login_attempts (
  id          bigserial PRIMARY KEY,
  email       text NOT NULL,
  ip_address  text,
  success     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE auth_audit_log (
  id          bigserial PRIMARY KEY,
  user_id     text,
  event       text NOT NULL,
  ip_address  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE user_sessions (
  id          bigserial PRIMARY KEY,
  user_id     text NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
-- The cleanup finds old rows by these columns; without an index every batch
-- reads the whole table.
CREATE INDEX login_attempts_created_at_idx ON login_attempts (created_at);
CREATE INDEX auth_audit_log_created_at_idx ON auth_audit_log (created_at);
CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);

-- NextAuth / Prisma-style tables (Prisma quotes camel-case names and maps
-- DateTime to timestamp(3) WITHOUT time zone, holding UTC)
CREATE TABLE "User" (
  id     text PRIMARY KEY,
  name   text,
  email  text UNIQUE,
  role   text NOT NULL DEFAULT 'USER'
);
CREATE TABLE "Session" (
  id              text PRIMARY KEY,
  "sessionToken"  text NOT NULL UNIQUE,
  "userId"        text NOT NULL,
  expires         timestamp(3) NOT NULL
);
CREATE INDEX "Session_expires_idx" ON "Session" (expires);
CREATE TABLE "AuditLog" (
  id           text PRIMARY KEY,
  "userId"     text,
  action       text NOT NULL,
  details      jsonb,
  "createdAt"  timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- authsweep's own: the cleanups' leases (see deploy/authsweep-tables.sql).
CREATE TABLE IF NOT EXISTS authsweep_jobs (
  job               text PRIMARY KEY,
  holder            uuid,
  holder_pid        integer,
  lease_expires_at  timestamptz,
  server_started_at timestamptz,
  last_run_at       timestamptz,
  last_result       text,
  last_success_at   timestamptz,
  last_deleted      bigint
);
