/// The session tables of the frameworks authsweep knows, as each
/// framework's own migrations create them: the names, and what makes a row
/// expired. `session.preset` picks one; a name set explicitly (in the
/// config file or the environment, before or after it) wins over the preset's.
public enum SessionPreset: String, CaseIterable, Sendable {
    /// Auth.js (NextAuth) with Prisma: `"Session"`, `timestamp(3)` holding UTC.
    case authjsPrisma = "authjs-prisma"
    /// Auth.js with Drizzle: `session`, keyed by `"sessionToken"`.
    case authjsDrizzle = "authjs-drizzle"
    /// Better Auth's core schema: `session` with `"expiresAt"`.
    case betterAuth = "better-auth"
    /// The Lucia guide's `user_session`, `expires_at timestamptz`.
    case lucia
    /// `django.contrib.sessions`: `django_session`, `expire_date`.
    case django
    /// Laravel's database driver: `sessions`, `last_activity` in Unix seconds.
    case laravel
    /// activerecord-session_store: `sessions`, trimmed by `updated_at`.
    case rails

    /// What the rule column of the preset's table holds.
    public enum Rule: Sendable, Equatable {
        /// The moment the session expires: expired when it is now or past.
        case expiresAt
        /// The session's last activity: expired once `session.lifetime_minutes` have passed since.
        case lastActivity
    }

    public var rule: Rule {
        switch self {
        case .laravel, .rails: .lastActivity
        default: .expiresAt
        }
    }

    /// The framework's own session lifetime, for the last-activity rules:
    /// Laravel's `SESSION_LIFETIME` default, and the 30 days of Rails'
    /// `db:sessions:trim`.
    public var defaultLifetimeMinutes: Int? {
        switch self {
        case .laravel: 120
        case .rails: 43_200
        default: nil
        }
    }

    /// The framework's name, for messages and the README.
    public var framework: String {
        switch self {
        case .authjsPrisma: "Auth.js with Prisma"
        case .authjsDrizzle: "Auth.js with Drizzle"
        case .betterAuth: "Better Auth"
        case .lucia: "Lucia"
        case .django: "Django"
        case .laravel: "Laravel"
        case .rails: "Rails (activerecord-session_store)"
        }
    }

    /// The preset's names for the session table (and its verification
    /// tokens, where the framework has them, and the usual users table,
    /// whose ids `sessions list` checks where it exists). A framework whose
    /// table has no user column (Django, Rails) gets `nil` there:
    /// `sessions list` and `sessions invalidate` need one.
    /// - Parameter keeping: configuration keys (`session.table`, ...) set
    ///   explicitly, whose names the preset leaves alone.
    public func apply(to tables: inout TableNames, keeping explicit: Set<String> = []) {
        let names = self.names
        func set<Value>(_ key: String, _ path: WritableKeyPath<TableNames, Value>, _ value: Value) {
            if !explicit.contains(key) { tables[keyPath: path] = value }
        }
        set("session.table", \.session, names.table)
        set("session.id", \.sessionID, names.id)
        set("session.token", \.sessionToken, names.token)
        set("session.user_id", \.sessionUserID, names.user)
        set("session.expires", \.sessionExpires, names.rule)
        set("session.created_at", \.sessionCreatedAt, names.created)
        set("user.table", \.user, names.users)
        set("verification_token.table", \.verificationToken, names.verification?.table)
        set("verification_token.expires", \.verificationTokenExpires, names.verification?.expires ?? "expires")
    }

    private struct Names {
        let table: String
        let id: String
        let token: String
        let user: String?
        /// The expiry, or the last activity.
        let rule: String
        let users: String
        var verification: (table: String, expires: String)?
        /// The creation moment, where the framework records one.
        var created: String?
    }

    private var names: Names {
        switch self {
        case .authjsPrisma:
            // The authjs.dev guide's schema has "createdAt"; the adapter's has none.
            Names(
                table: "Session", id: "id", token: "sessionToken", user: "userId", rule: "expires", users: "User",
                verification: ("VerificationToken", "expires"), created: "createdAt")
        case .authjsDrizzle:
            // The session's primary key is its token.
            Names(
                table: "session", id: "sessionToken", token: "sessionToken", user: "userId", rule: "expires", users: "user",
                verification: ("verificationToken", "expires"))
        case .betterAuth:
            Names(
                table: "session", id: "id", token: "token", user: "userId", rule: "expiresAt", users: "user",
                verification: ("verification", "expiresAt"), created: "createdAt")
        case .lucia:
            Names(table: "user_session", id: "id", token: "id", user: "user_id", rule: "expires_at", users: "auth_user")
        case .django:
            Names(table: "django_session", id: "session_key", token: "session_key", user: nil, rule: "expire_date", users: "auth_user")
        case .laravel:
            Names(table: "sessions", id: "id", token: "id", user: "user_id", rule: "last_activity", users: "users")
        case .rails:
            Names(table: "sessions", id: "id", token: "session_id", user: nil, rule: "updated_at", users: "users", created: "created_at")
        }
    }

    /// The preset's names alone, from the defaults.
    public var tableNames: TableNames {
        var tables = TableNames()
        apply(to: &tables)
        return tables
    }
}
