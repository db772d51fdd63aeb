public import Postgres

/// How to open a connection: the operator's connection string plus the
/// timeouts every authsweep connection runs with.
public struct DatabaseSettings: Sendable, Equatable {
    public var connectionString: String?
    public var connectTimeoutSeconds: Int
    /// `PGCONNECT_TIMEOUT` is set: libpq takes it, and no keyword overrides it.
    public var libpqConnectTimeoutIsSet: Bool
    public var statementTimeoutMilliseconds: Int
    public var lockTimeoutMilliseconds: Int
    /// The schemas every transaction searches; empty for the role's own path.
    public var searchPath: [String]

    public init(configuration: Configuration) {
        let url = configuration.database
        connectionString = url?.connectionString ?? configuration.databaseURL
        searchPath = url?.searchPath ?? []
        connectTimeoutSeconds = configuration.connectTimeoutSeconds
        libpqConnectTimeoutIsSet = configuration.libpqConnectTimeoutIsSet
        statementTimeoutMilliseconds = configuration.statementTimeoutMilliseconds
        lockTimeoutMilliseconds = configuration.lockTimeoutMilliseconds
    }

    /// A TCP link to PostgreSQL that dies silently (a failover, a dropped
    /// NAT entry, a cable) is noticed within 30 s instead of the kernel's
    /// ~15 minutes of retransmissions, while a cleanup holds its lock:
    /// keepalive probes after 10 s idle, every 5 s, 3 unanswered end it
    /// (25 s); unacknowledged data ends it after 30 s. The connection string
    /// overrides any of them; unix sockets ignore them.
    static let deadLinkDefaults = [
        "keepalives": "1",
        "keepalives_idle": "10",
        "keepalives_interval": "5",
        "keepalives_count": "3",
        "tcp_user_timeout": "30000",
    ]

    /// What every transaction authsweep runs sets for itself alone (never
    /// for the session: see `PGConnection.beginTransaction`).
    var transactionSettings: [(name: String, value: String)] {
        var settings = [
            ("statement_timeout", String(statementTimeoutMilliseconds)),
            ("lock_timeout", String(lockTimeoutMilliseconds)),
            ("idle_in_transaction_session_timeout", "60000"),
        ]
        // The application's schema (Prisma's `schema=`), for this
        // transaction alone: behind a pooler the server connection is shared.
        if !searchPath.isEmpty {
            settings.append(("search_path", searchPath.map { "\"" + $0.replacing("\"", with: "\"\"") + "\"" }.joined(separator: ", ")))
        }
        return settings
    }

    /// Opens a new connection with these settings.
    public func connect() throws(JobError) -> PGConnection {
        var defaults = ["fallback_application_name": "authsweep"].merging(Self.deadLinkDefaults) { first, _ in first }
        // An explicit keyword would beat PGCONNECT_TIMEOUT, so only set it
        // when the operator did not.
        if !libpqConnectTimeoutIsSet {
            defaults["connect_timeout"] = String(connectTimeoutSeconds)
        }
        return try JobError.fromDatabase { () throws(PostgresError) in try PGConnection(connectionString: connectionString, defaults: defaults) }
    }
}

extension Configuration {
    /// A connection string with every password replaced by `****` (parsed
    /// by libpq, not searched as text, so a quoted password with spaces is
    /// masked whole).
    public static func masked(_ url: String) -> String {
        ConnectionString.masked(url) ?? "(set, but libpq cannot parse it: check its quoting and keywords)"
    }
}
