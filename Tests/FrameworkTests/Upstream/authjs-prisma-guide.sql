-- Auth.js, current authjs.dev Prisma guide schema ("Getting started > Database adapters > Prisma",
--   PostgreSQL accordion, file prisma/schema-postgres.prisma): Session has NO `id` (sessionToken @unique,
--   no primary key), Account/VerificationToken/Authenticator use composite @@id, User and Account and
--   Session carry createdAt @default(now()) / updatedAt @updatedAt. Used with @auth/prisma-adapter 2.x.
-- source: github nextauthjs/next-auth, docs/pages/getting-started/adapters/prisma.mdx (lines 168-248)
--   at HEAD of the stored copy a1a16a5a7780488c7449feece410033f445d0b31 (2026-07-22); the schema block
--   was last changed by 240e3432824bf92cef22ef8ce27e380f34ef8219 (2025-10-22, "#13299 update the Prisma
--   ORM page to use Prisma Postgres"). The adapter's own test schema
--   (packages/adapter-prisma/prisma/schema.prisma, tag @auth/prisma-adapter@2.11.3 = 5af7357f) has the
--   same id-less Session but without createdAt/updatedAt.
-- how produced: NOT run here (no npm registry). Derived by hand from that schema following Prisma
--   Migrate's PostgreSQL output rule (`prisma migrate diff --from-empty --to-schema-datamodel ... --script`):
--   String -> TEXT, Int -> INTEGER, Boolean -> BOOLEAN, DateTime -> TIMESTAMP(3);
--   @default(now()) -> DEFAULT CURRENT_TIMESTAMP; @updatedAt -> no SQL default (set by Prisma Client);
--   @@id -> CONSTRAINT "<Model>_pkey" PRIMARY KEY ("a","b"); a model with no @id/@@id gets no PK
--   constraint (and no trailing comma); field @unique -> CREATE UNIQUE INDEX "<Model>_<field>_key";
--   relations -> ALTER TABLE ... ADD CONSTRAINT "<Model>_<field>_fkey" ... ON DELETE CASCADE ON UPDATE CASCADE.
--   Tables, indexes and FKs in model order. Cross-checked against third-party prisma-generated
--   migration.sql files in the public code index that contain exactly these five models (format only).
-- expiry rule: nextauthjs/next-auth, tag @auth/core@0.41.3 (commit 5af7357fb40c82e0c66f940319321260ddfd44dc),
--   packages/core/src/lib/actions/session.ts, session() lines 100-107:
--   `userAndSession.session.expires.valueOf() < Date.now()` -> deleteSession(sessionToken).
--   EXPIRED iff "expires" < now (strict '<'), Node process clock, milliseconds. Prisma stores DateTime as
--   UTC wall time in TIMESTAMP(3). Default maxAge 30 days (packages/core/src/lib/init.ts line 71),
--   updateAge 1 day (init.ts line 119).
-- cleanup: none in bulk. Only the per-token delete of an expired session on read (above), through
--   PrismaAdapter.deleteSession(): `p.session.delete({ where: { sessionToken } })`
--   (packages/adapter-prisma/src/index.ts line 70, @auth/prisma-adapter@2.11.3).
--   Verification tokens are deleted when used; expiry check `invite.expires.valueOf() < Date.now()`
--   (packages/core/src/lib/actions/callback/index.ts line 227).
-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT NOT NULL,
    "emailVerified" TIMESTAMP(3),
    "image" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("provider","providerAccountId")
);

-- CreateTable
CREATE TABLE "Session" (
    "sessionToken" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL
);

-- CreateTable
CREATE TABLE "VerificationToken" (
    "identifier" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "expires" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VerificationToken_pkey" PRIMARY KEY ("identifier","token")
);

-- CreateTable
CREATE TABLE "Authenticator" (
    "credentialID" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "credentialPublicKey" TEXT NOT NULL,
    "counter" INTEGER NOT NULL,
    "credentialDeviceType" TEXT NOT NULL,
    "credentialBackedUp" BOOLEAN NOT NULL,
    "transports" TEXT,

    CONSTRAINT "Authenticator_pkey" PRIMARY KEY ("userId","credentialID")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Session_sessionToken_key" ON "Session"("sessionToken");

-- CreateIndex
CREATE UNIQUE INDEX "Authenticator_credentialID_key" ON "Authenticator"("credentialID");

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Authenticator" ADD CONSTRAINT "Authenticator_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
