-- Auth.js / NextAuth.js, @auth/prisma-adapter as documented up to @auth/prisma-adapter@2.0.0
--   (the "classic" schema: Session and Account have a cuid `id` primary key; VerificationToken has
--   @@unique([identifier, token]) and token @unique). PostgreSQL provider.
-- source: github nextauthjs/next-auth, tag @auth/prisma-adapter@2.0.0
--   (commit 67c2282f06eacea015c0f27fd8800e0a2ae8d597), packages/adapter-prisma/src/index.ts, JSDoc
--   section "Create the Prisma schema from scratch" (datasource provider = "postgresql").
--   The same schema is in that JSDoc from @auth/prisma-adapter@1.0.0 (3b414bd7) to 2.0.0; from 2.1.0 on
--   the JSDoc no longer carries a schema (it moved to the authjs.dev guide, see authjs-prisma-guide.sql).
-- how produced: NOT run here (no npm registry). Derived by hand from that schema.prisma following
--   Prisma Migrate's PostgreSQL output rule (`prisma migrate diff --from-empty --to-schema-datamodel
--   schema.prisma --script`): String -> TEXT, String? -> TEXT (nullable), Int? -> INTEGER,
--   DateTime -> TIMESTAMP(3), @db.Text -> TEXT; @id -> CONSTRAINT "<Model>_pkey" PRIMARY KEY;
--   tables in model order; then `CREATE UNIQUE INDEX "<Model>_<fields>_key"` (field @unique before
--   @@unique); then `ALTER TABLE ... ADD CONSTRAINT "<Model>_<field>_fkey" ... ON DELETE CASCADE
--   ON UPDATE CASCADE`. @default(cuid()) is client-side (no SQL default). Index section order matches
--   upstream's own Prisma-generated SQLite migration of the same models:
--   nextauthjs/next-auth apps/dev/nextjs/prisma/migrations/20231023165117_/migration.sql (65aa467c).
-- expiry rule: nextauthjs/next-auth, tag @auth/core@0.41.3 (commit 5af7357fb40c82e0c66f940319321260ddfd44dc),
--   packages/core/src/lib/actions/session.ts, session() (database strategy, lines 100-107):
--   `if (userAndSession && userAndSession.session.expires.valueOf() < Date.now()) { await deleteSession(sessionToken) }`
--   EXPIRED iff expires < now (strict '<'; expires == now is still valid). Clock: Node process Date.now(), ms.
--   Prisma writes DateTime as UTC into TIMESTAMP(3) (UTC wall time in a `timestamp without time zone` column;
--   see prisma/orm issue #5051). Default maxAge 30 days (packages/core/src/lib/init.ts line 71),
--   updateAge 1 day (init.ts line 119): expires is pushed to now+maxAge when expires-maxAge+updateAge <= now.
-- cleanup: no bulk delete of expired sessions exists in Auth.js core or @auth/prisma-adapter.
--   Only per-session removal when an expired session is read (above), via the adapter's
--   deleteSession(): `p.session.delete({ where: { sessionToken } })`
--   (packages/adapter-prisma/src/index.ts line 70 at tag @auth/prisma-adapter@2.11.3, commit 5af7357f).
--   Verification tokens: deleted when used (useVerificationToken); expiry check in
--   packages/core/src/lib/actions/callback/index.ts line 227: `invite.expires.valueOf() < Date.now()`.
-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "emailVerified" TIMESTAMP(3),
    "image" TEXT,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VerificationToken" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");

-- CreateIndex
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "VerificationToken_token_key" ON "VerificationToken"("token");

-- CreateIndex
CREATE UNIQUE INDEX "VerificationToken_identifier_token_key" ON "VerificationToken"("identifier", "token");

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
