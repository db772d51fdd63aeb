-- Better Auth <= v1.3.10 (the `timestamp` era), core schema (user, session, account, verification),
--   default options (string ids, no plugins, no secondaryStorage), PostgreSQL via the Kysely adapter.
-- source: github better-auth/better-auth, tag v1.3.10 (commit f75017d0f4ba7700862093e629b3c51fea13b953):
--   packages/better-auth/src/db/get-tables.ts (getAuthTables: fields and order user=1, session=2,
--   account=3, verification=4), packages/better-auth/src/db/get-schema.ts,
--   packages/better-auth/src/db/get-migration.ts (getMigrations: date -> postgres "timestamp" at line 209;
--   `default CURRENT_TIMESTAMP` for date fields with a function defaultValue, lines 313-320; FK
--   `.references("user.id").onDelete("cascade")`; compileMigrations() joins with ";\n\n" + ";", line 332).
--   Used by both `npx @better-auth/cli migrate` (runMigrations) and `generate` for Kysely
--   (packages/cli/src/generators/kysely.ts writes compileMigrations()).
--   Superseded by commit e5874da1920953d62af2c994015e476bd9b4bef6 "fix: timestamp issues in kysely (#4542)"
--   (2025-09-16, https://github.com/better-auth/better-auth/pull/4542), first released in v1.3.11:
--   postgres date type "timestamp" -> "timestamptz" (and mysql "datetime" -> "timestamp").
-- how produced: NOT run here (no npm registry). Derived by hand: the getMigrations() builder calls for
--   the default schema, compiled by Kysely 0.28.5 (lockfile pin at v1.3.10) DefaultQueryCompiler
--   (github kysely-org/kysely tag v0.28.5, b2105547, src/query-compiler/default-query-compiler.ts
--   visitColumnDefinition: name type [default ...] [not null] [unique] [primary key] [references ...]).
--   Cross-check: the upstream SQLite snapshot packages/cli/test/__snapshots__/migrations.sql (same tag)
--   has the identical statements with sqlite types and no defaults.
--   Existing databases created by these versions keep `timestamp` columns: getMigrations() at v1.3.11+
--   accepts "timestamp" as matching a date field (postgresMap.date) and does not alter it.
-- expiry rule: better-auth/better-auth v1.3.10, packages/better-auth/src/api/routes/session.ts, getSession
--   endpoint, line 158: `if (!session || session.session.expiresAt < new Date())` -> deleteSessionCookie and
--   internalAdapter.deleteSession(token). EXPIRED iff "expiresAt" < now (strict '<'), Node process clock, ms.
--   (listSessions, line 401, keeps only `session.expiresAt > new Date()`, so at exactly expiresAt == now a
--   session is accepted by getSession but not listed.)
--   Storage: the pg driver sends a JS Date as LOCAL time with offset (node-postgres utils.js dateToString);
--   PostgreSQL drops the offset for `timestamp without time zone`, so "expiresAt" holds the Node process's
--   local wall-clock time; pg-types parses it back as local time (see README.md).
--   Defaults (packages/better-auth/src/init.ts lines 122-126): expiresIn 7 days (604800 s),
--   updateAge 1 day (86400 s); refresh when expiresAt - expiresIn + updateAge <= now.
-- cleanup: no bulk delete of expired sessions in core (only the per-session delete on read above).
--   Verification rows: packages/better-auth/src/db/internal-adapter.ts findVerificationValue(), lines 979-989,
--   unless options.verification.disableCleanup: deleteMany verification where expiresAt "lt" new Date(),
--   i.e. Kysely `delete from "verification" where "expiresAt" < $1` with $1 = new Date().
create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamp default CURRENT_TIMESTAMP not null, "updatedAt" timestamp default CURRENT_TIMESTAMP not null);

create table "session" ("id" text not null primary key, "expiresAt" timestamp not null, "token" text not null unique, "createdAt" timestamp default CURRENT_TIMESTAMP not null, "updatedAt" timestamp not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade);

create table "account" ("id" text not null primary key, "accountId" text not null, "providerId" text not null, "userId" text not null references "user" ("id") on delete cascade, "accessToken" text, "refreshToken" text, "idToken" text, "accessTokenExpiresAt" timestamp, "refreshTokenExpiresAt" timestamp, "scope" text, "password" text, "createdAt" timestamp default CURRENT_TIMESTAMP not null, "updatedAt" timestamp not null);

create table "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" timestamp not null, "createdAt" timestamp default CURRENT_TIMESTAMP not null, "updatedAt" timestamp default CURRENT_TIMESTAMP not null);
