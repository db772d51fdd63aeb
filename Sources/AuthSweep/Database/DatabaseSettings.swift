import Postgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How to open a connection: the operator's connection string plus the
/// timeouts every authsweep connection runs with.
public struct DatabaseSettings: Sendable {
    public var connectionString: String?
    public var connectTimeoutSeconds: Int
    public var statementTimeoutMilliseconds: Int
    public var lockTimeoutMilliseconds: Int

    public init(configuration: Configuration) {
        connectionString = configuration.databaseURL
        connectTimeoutSeconds = configuration.connectTimeoutSeconds
        statementTimeoutMilliseconds = configuration.statementTimeoutMilliseconds
        lockTimeoutMilliseconds = configuration.lockTimeoutMilliseconds
    }

    /// Opens a new connection with these settings.
    public func connect() throws(JobError) -> PGConnection {
        var defaults = ["fallback_application_name": "authsweep"]
        // An explicit keyword would beat PGCONNECT_TIMEOUT, so only set it
        // when the operator did not.
        if getenv("PGCONNECT_TIMEOUT") == nil {
            defaults["connect_timeout"] = String(connectTimeoutSeconds)
        }
        do {
            return try PGConnection(
                connectionString: connectionString,
                defaults: defaults,
                settings: [
                    ("statement_timeout", String(statementTimeoutMilliseconds)),
                    ("lock_timeout", String(lockTimeoutMilliseconds)),
                    ("idle_in_transaction_session_timeout", "60000"),
                ]
            )
        } catch {
            throw .database(error)
        }
    }
}
