-- Better Auth, `timestamptz` era (v1.3.11 and later); this file is the latest release in the stored copy,
--   v1.7.1, core schema (user, session, account, verification), default options (string ids, no plugins,
--   no secondaryStorage), PostgreSQL via the Kysely adapter.
-- source: github better-auth/better-auth, tag v1.7.1 (commit 2344536054f9164ca5d1670c270d299049ee233e):
--   packages/core/src/db/get-tables.ts (fields; order user=1, session=2, account=3, verification=4;
--   field-level `index: true` on session.userId, account.userId, verification.identifier; table index
--   { fields: ["issuer", "accountId"], unique: true } on account), packages/core/src/db/database-index.ts
--   (index names "<table>_<cols>_idx" / "_uidx"), packages/better-auth/src/db/get-schema.ts,
--   packages/better-auth/src/db/get-migration.ts (date -> postgres "timestamptz" line 906; field indexes
--   line 1181; table indexes line 1195; compileMigrations() line 1215).
--   The switch timestamp -> timestamptz: commit e5874da1920953d62af2c994015e476bd9b4bef6
--   "fix: timestamp issues in kysely (#4542)", 2025-09-16, https://github.com/better-auth/better-auth/pull/4542,
--   first in tag v1.3.11 (4df17846); not in v1.3.10.
--   Schema history (same tags): v1.3.11 .. v1.3.34 (e665c4c5) emit exactly better-auth-1.3.10.sql with
--   every `timestamp` replaced by `timestamptz` (no indexes, no account.issuer). v1.4.0 (bff00f6b) adds the
--   three field-level indexes; v1.7.0 (c3688ba8) adds account."issuer" (NOT NULL) and the unique index on
--   ("issuer", "accountId"). The session table is the same in all of them apart from the userId index.
-- how produced: NOT run here (no npm registry). Derived by hand from the getMigrations() builder calls
--   for the default schema on an empty database, compiled by Kysely's DefaultQueryCompiler
--   (github kysely-org/kysely, tags v0.28.17 and v0.29.3 - the versions in the v1.7.1 lockfile - have the
--   same visitColumnDefinition / visitCreateIndex as v0.28.5). Index names confirmed by upstream
--   snapshots/tests: packages/cli/test/__snapshots__/auth-schema-*.txt ("session_userId_idx",
--   "account_userId_idx", "verification_identifier_idx") and get-migration.test.ts
--   ('create unique index "account_issuer_accountId_uidx"').
-- expiry rule: v1.7.1 packages/better-auth/src/api/routes/session.ts line 277:
--   `if (!session || session.session.expiresAt < new Date())` -> delete cookie and, unless
--   deferSessionRefresh is on and the request is not POST, internalAdapter.deleteSession(token).
--   EXPIRED iff "expiresAt" < now (strict '<'), Node process clock, ms (identical at v1.3.10/v1.3.11).
--   listSessions with onlyActiveSessions uses `expiresAt > now` (internal-adapter.ts, operator "gt").
--   Storage: timestamptz, node-postgres sends the Date with its UTC offset, so the stored instant is exact.
--   Defaults (packages/better-auth/src/context/create-context.ts lines 308-312): expiresIn 7 days
--   (60*60*24*7 s), updateAge 1 day (24*60*60 s); refresh when expiresAt - expiresIn + updateAge <= now
--   (session.ts lines 321-325).
-- cleanup: no bulk delete of expired sessions in core. Verification rows: internal-adapter.ts
--   findVerificationValue() line 1328, unless options.verification.disableCleanup:
--   deleteMany verification where expiresAt "lt" new Date() -> `delete from "verification" where "expiresAt" < $1`.
create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);

create table "session" ("id" text not null primary key, "expiresAt" timestamptz not null, "token" text not null unique, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade);

create table "account" ("id" text not null primary key, "issuer" text not null, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" timestamptz, "refreshTokenExpiresAt" timestamptz, "scope" text, "password" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null);

create table "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" timestamptz not null, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);

create index "session_userId_idx" on "session" ("userId");

create index "account_userId_idx" on "account" ("userId");

create index "verification_identifier_idx" on "verification" ("identifier");

create unique index "account_issuer_accountId_uidx" on "account" ("issuer", "accountId");
