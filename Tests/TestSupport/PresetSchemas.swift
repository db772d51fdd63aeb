public import AuthSweep

/// Each framework's session tables as its own migrations create them on
/// PostgreSQL, and rows for them: what the preset tests load.
public struct PresetSchema: Sendable {
    public let preset: SessionPreset
    /// The framework's DDL (its users table too where the sessions refer to it).
    public let ddl: String
    /// The session table, quoted.
    public var quotedTable: String { "\"\(preset.tableNames.session)\"" }
    /// The column that identifies a row in the tests (the token, or the key).
    public let keyColumn: String
    /// SQL for `count` rows with keys `<prefix><n>` whose rule column is
    /// `moment`, an SQL expression of the column's type.
    public let insert: @Sendable (_ prefix: String, _ count: Int, _ moment: String) -> String
    /// The rule column, quoted.
    public let ruleColumn: String
    /// An expired and an active moment, as SQL of the rule column's type.
    public let expired: String
    public let active: String
    /// The verification-token table and an insert for it, where the framework has one.
    public let verification: (table: String, insert: @Sendable (_ prefix: String, _ count: Int, _ moment: String) -> String)?
    /// Whether the table records the session's user (`sessions list` works).
    public var hasUserColumn: Bool { preset.tableNames.sessionUserID != nil }

    /// UTC wall-clock moments for `timestamp without time zone` columns.
    static let utcExpired = "(now() AT TIME ZONE 'UTC') - interval '2 hours'"
    static let utcActive = "(now() AT TIME ZONE 'UTC') + interval '2 hours'"
    static let zonedExpired = "now() - interval '2 hours'"
    static let zonedActive = "now() + interval '2 hours'"

    public static let all: [PresetSchema] = SessionPreset.allCases.map(schema)

    public static func schema(_ preset: SessionPreset) -> PresetSchema {
        switch preset {
        case .authjsPrisma:
            // deploy/schema.sql has "Session" and "User" (the contract's);
            // the adapter's docs add the verification tokens.
            return PresetSchema(
                preset: preset,
                ddl: """
                    CREATE TABLE "VerificationToken" (
                        "identifier" TEXT NOT NULL,
                        "token" TEXT NOT NULL,
                        "expires" TIMESTAMP(3) NOT NULL,
                        CONSTRAINT "VerificationToken_pkey" PRIMARY KEY ("identifier","token")
                    );
                    """,
                keyColumn: #""sessionToken""#,
                insert: { prefix, count, moment in
                    #"INSERT INTO "Session" (id, "sessionToken", "userId", expires) SELECT '\#(prefix)' || n, '\#(prefix)' || n, 'user-1', \#(moment) FROM generate_series(1, \#(count)) n;"#
                },
                ruleColumn: "expires", expired: utcExpired, active: utcActive,
                verification: (
                    #""VerificationToken""#,
                    { prefix, count, moment in
                        #"INSERT INTO "VerificationToken" SELECT 'a@example.com', '\#(prefix)' || n, \#(moment) FROM generate_series(1, \#(count)) n;"#
                    }
                ))
        case .authjsDrizzle:
            // drizzle-kit's output for @auth/drizzle-adapter's pg schema.
            return PresetSchema(
                preset: preset,
                ddl: """
                    CREATE TABLE "user" (
                        "id" text PRIMARY KEY NOT NULL,
                        "name" text,
                        "email" text,
                        "emailVerified" timestamp,
                        "image" text,
                        CONSTRAINT "user_email_unique" UNIQUE("email")
                    );
                    CREATE TABLE "session" (
                        "sessionToken" text PRIMARY KEY NOT NULL,
                        "userId" text NOT NULL,
                        "expires" timestamp NOT NULL
                    );
                    CREATE TABLE "verificationToken" (
                        "identifier" text NOT NULL,
                        "token" text NOT NULL,
                        "expires" timestamp NOT NULL,
                        CONSTRAINT "verificationToken_identifier_token_pk" PRIMARY KEY("identifier","token")
                    );
                    ALTER TABLE "session" ADD CONSTRAINT "session_userId_user_id_fk" FOREIGN KEY ("userId") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;
                    INSERT INTO "user" (id, email) VALUES ('user-1', 'one@example.com');
                    """,
                keyColumn: #""sessionToken""#,
                insert: { prefix, count, moment in
                    #"INSERT INTO "session" SELECT '\#(prefix)' || n, 'user-1', \#(moment) FROM generate_series(1, \#(count)) n;"#
                },
                ruleColumn: "expires", expired: utcExpired, active: utcActive,
                verification: (
                    #""verificationToken""#,
                    { prefix, count, moment in
                        #"INSERT INTO "verificationToken" SELECT 'a@example.com', '\#(prefix)' || n, \#(moment) FROM generate_series(1, \#(count)) n;"#
                    }
                ))
        case .betterAuth:
            // @better-auth/cli generate (Kysely) for PostgreSQL, v1.4 and later.
            return PresetSchema(
                preset: preset,
                ddl: """
                    create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
                    create table "session" ("id" text not null primary key, "expiresAt" timestamptz not null, "token" text not null unique, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade);
                    create table "verification" ("id" text not null primary key, "identifier" text not null, "value" text not null, "expiresAt" timestamptz not null, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
                    create index "session_userId_idx" on "session" ("userId");
                    create index "verification_identifier_idx" on "verification" ("identifier");
                    insert into "user" (id, name, email, "emailVerified") values ('user-1', 'One', 'one@example.com', true);
                    """,
                keyColumn: #""token""#,
                insert: { prefix, count, moment in
                    #"INSERT INTO "session" (id, "expiresAt", token, "updatedAt", "userId") SELECT 'id-\#(prefix)' || n, \#(moment), '\#(prefix)' || n, now(), 'user-1' FROM generate_series(1, \#(count)) n;"#
                },
                ruleColumn: #""expiresAt""#, expired: zonedExpired, active: zonedActive,
                verification: (
                    #""verification""#,
                    { prefix, count, moment in
                        #"INSERT INTO "verification" (id, identifier, value, "expiresAt") SELECT '\#(prefix)' || n, 'a@example.com', 'v', \#(moment) FROM generate_series(1, \#(count)) n;"#
                    }
                ))
        case .lucia:
            // The Lucia v3 PostgreSQL adapter's documented tables.
            return PresetSchema(
                preset: preset,
                ddl: """
                    CREATE TABLE auth_user (
                        id TEXT PRIMARY KEY
                    );
                    CREATE TABLE user_session (
                        id TEXT PRIMARY KEY,
                        expires_at TIMESTAMPTZ NOT NULL,
                        user_id TEXT NOT NULL REFERENCES auth_user(id)
                    );
                    INSERT INTO auth_user VALUES ('user-1');
                    """,
                keyColumn: "id",
                insert: { prefix, count, moment in
                    "INSERT INTO user_session SELECT '\(prefix)' || n, \(moment), 'user-1' FROM generate_series(1, \(count)) n;"
                },
                ruleColumn: "expires_at", expired: zonedExpired, active: zonedActive, verification: nil)
        case .django:
            // sqlmigrate sessions 0001 on PostgreSQL.
            return PresetSchema(
                preset: preset,
                ddl: """
                    CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL);
                    CREATE INDEX "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops);
                    CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date");
                    """,
                keyColumn: "session_key",
                insert: { prefix, count, moment in
                    "INSERT INTO django_session SELECT '\(prefix)' || n, 'e30:1t:sig', \(moment) FROM generate_series(1, \(count)) n;"
                },
                ruleColumn: "expire_date", expired: zonedExpired, active: zonedActive, verification: nil)
        case .laravel:
            // php artisan migrate --pretend: the sessions table of Laravel 11's first migration.
            return PresetSchema(
                preset: preset,
                ddl: """
                    create table "sessions" ("id" varchar(255) not null, "user_id" bigint null, "ip_address" varchar(45) null, "user_agent" text null, "payload" text not null, "last_activity" integer not null);
                    alter table "sessions" add primary key ("id");
                    create index "sessions_user_id_index" on "sessions" ("user_id");
                    create index "sessions_last_activity_index" on "sessions" ("last_activity");
                    """,
                keyColumn: "id",
                insert: { prefix, count, moment in
                    "INSERT INTO sessions (id, user_id, payload, last_activity) SELECT '\(prefix)' || n, 1, 'YTowOnt9', \(moment) FROM generate_series(1, \(count)) n;"
                },
                // The default lifetime is 120 minutes: 3 hours ago is expired, 30 minutes ago active.
                ruleColumn: "last_activity",
                expired: "(extract(epoch FROM now())::integer - 3 * 3600)", active: "(extract(epoch FROM now())::integer - 1800)",
                verification: nil)
        case .rails:
            // activerecord-session_store's migration on Rails 7 (timestamp(6) holding UTC).
            return PresetSchema(
                preset: preset,
                ddl: """
                    CREATE TABLE "sessions" ("id" bigserial primary key, "session_id" character varying NOT NULL, "data" text, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
                    CREATE UNIQUE INDEX "index_sessions_on_session_id" ON "sessions" ("session_id");
                    CREATE INDEX "index_sessions_on_updated_at" ON "sessions" ("updated_at");
                    """,
                keyColumn: "session_id",
                insert: { prefix, count, moment in
                    "INSERT INTO sessions (session_id, data, created_at, updated_at) SELECT '\(prefix)' || n, 'BAh7AA==', \(moment), \(moment) FROM generate_series(1, \(count)) n;"
                },
                // The default lifetime is 30 days.
                ruleColumn: "updated_at",
                expired: "(now() AT TIME ZONE 'UTC') - interval '31 days'", active: "(now() AT TIME ZONE 'UTC') - interval '1 day'",
                verification: nil)
        }
    }
}
