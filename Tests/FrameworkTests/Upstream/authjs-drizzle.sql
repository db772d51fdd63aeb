-- Auth.js, @auth/drizzle-adapter default PostgreSQL schema (@auth/drizzle-adapter@1.11.3), as
--   drizzle-kit (0.31.x) `drizzle-kit generate` writes it for dialect "postgresql".
-- source: github nextauthjs/next-auth, tag @auth/drizzle-adapter@1.11.3
--   (commit 5af7357fb40c82e0c66f940319321260ddfd44dc), packages/adapter-drizzle/src/lib/pg.ts,
--   defineTables() (unchanged at HEAD a1a16a5a). The same pgTable definitions are the documented schema in
--   docs/pages/getting-started/adapters/drizzle.mdx (PostgreSQL accordion; last changed 0bcd32d6),
--   exported there as users, accounts, sessions, verificationTokens, authenticators.
-- how produced: NOT run here (no npm registry). Derived by hand from those pgTable() definitions by
--   drizzle-kit's PostgreSQL generator as read in github drizzle-team/drizzle-orm, tag drizzle-kit@0.31.10
--   (commit 4aa6ecfee4b4728dadf6f77f071a149878a3c6c0): drizzle-kit/src/sqlgenerator.ts
--   PgCreateTableConvertor (`"col" type[ PRIMARY KEY][ DEFAULT][ NOT NULL]`, composite PK
--   `CONSTRAINT "<table>_<cols>_pk" PRIMARY KEY("a","b")`, column .unique() ->
--   `CONSTRAINT "<table>_<col>_unique" UNIQUE("col")`) and PgCreateForeignKeyConvertor
--   (`ALTER TABLE "t" ADD CONSTRAINT "<t>_<col>_<reftable>_<refcol>_fk" FOREIGN KEY ("col")
--   REFERENCES "public"."ref"("id") ON DELETE cascade ON UPDATE no action;`), statements joined by
--   drizzle-kit/src/cli/commands/migrate.ts BREAKPOINT '--> statement-breakpoint\n'; names from
--   drizzle-orm 0.45.2 (273c7807) pg-core unique-constraint.ts / primary-keys.ts / foreign-keys.ts.
--   timestamp("expires", { mode: "date" }) -> `timestamp` (WITHOUT time zone); $defaultFn(randomUUID) is
--   client-side (no SQL default). Table order follows the schema module's exports; third-party
--   drizzle-kit output of exactly these tables in the public code index lists them as below
--   (account, authenticator, session, user, verificationToken) - order not verified by running drizzle-kit.
-- expiry rule: nextauthjs/next-auth @auth/core@0.41.3 (5af7357f), packages/core/src/lib/actions/session.ts
--   lines 100-107: EXPIRED iff `session.expires.valueOf() < Date.now()` (strict '<', Node clock, ms).
--   drizzle-orm PgTimestamp (drizzle-orm/src/pg-core/columns/timestamp.ts, 0.45.2): mapToDriverValue =
--   value.toISOString() (so the column holds UTC wall time), mapFromDriverValue = new Date(value + '+0000').
--   Default maxAge 30 days (packages/core/src/lib/init.ts line 71), updateAge 1 day (line 119).
-- cleanup: none in bulk. Expired session deleted on read via adapter deleteSession(sessionToken)
--   (DELETE ... WHERE "sessionToken" = $1 built with eq(); packages/adapter-drizzle/src/lib/pg.ts line 242).
--   Verification tokens deleted when used; expiry check `invite.expires.valueOf() < Date.now()`
--   (packages/core/src/lib/actions/callback/index.ts line 227).
CREATE TABLE "account" (
	"userId" text NOT NULL,
	"type" text NOT NULL,
	"provider" text NOT NULL,
	"providerAccountId" text NOT NULL,
	"refresh_token" text,
	"access_token" text,
	"expires_at" integer,
	"token_type" text,
	"scope" text,
	"id_token" text,
	"session_state" text,
	CONSTRAINT "account_provider_providerAccountId_pk" PRIMARY KEY("provider","providerAccountId")
);
--> statement-breakpoint
CREATE TABLE "authenticator" (
	"credentialID" text NOT NULL,
	"userId" text NOT NULL,
	"providerAccountId" text NOT NULL,
	"credentialPublicKey" text NOT NULL,
	"counter" integer NOT NULL,
	"credentialDeviceType" text NOT NULL,
	"credentialBackedUp" boolean NOT NULL,
	"transports" text,
	CONSTRAINT "authenticator_userId_credentialID_pk" PRIMARY KEY("userId","credentialID"),
	CONSTRAINT "authenticator_credentialID_unique" UNIQUE("credentialID")
);
--> statement-breakpoint
CREATE TABLE "session" (
	"sessionToken" text PRIMARY KEY NOT NULL,
	"userId" text NOT NULL,
	"expires" timestamp NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"email" text,
	"emailVerified" timestamp,
	"image" text,
	CONSTRAINT "user_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "verificationToken" (
	"identifier" text NOT NULL,
	"token" text NOT NULL,
	"expires" timestamp NOT NULL,
	CONSTRAINT "verificationToken_identifier_token_pk" PRIMARY KEY("identifier","token")
);
--> statement-breakpoint
ALTER TABLE "account" ADD CONSTRAINT "account_userId_user_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authenticator" ADD CONSTRAINT "authenticator_userId_user_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session" ADD CONSTRAINT "session_userId_user_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
