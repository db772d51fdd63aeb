import Postgres

/// A connection opened on first use and replaced once it breaks, with its
/// per-connection catalog. One per responder thread, or per CLI run.
public final class DatabaseSession {
    private let settings: DatabaseSettings
    private var open: (connection: PGConnection, catalog: SchemaCatalog)?

    public init(settings: DatabaseSettings) {
        self.settings = settings
    }

    /// Runs `body` on a live connection. A connection found broken is
    /// replaced before use; one that breaks during `body` is dropped, so the
    /// next call reconnects.
    func withRunner<Result>(_ body: (TransactionRunner) throws(JobError) -> Result) throws(JobError) -> Result {
        if let current = open, !current.connection.isAlive {
            open = nil
        }
        let current: (connection: PGConnection, catalog: SchemaCatalog)
        if let existing = open {
            current = existing
        } else {
            let connection = try settings.connect()
            current = (connection, SchemaCatalog(connection: connection, transactionSettings: settings.transactionSettings))
            open = current
        }
        do {
            return try body(TransactionRunner(connection: current.connection, catalog: current.catalog, transactionSettings: settings.transactionSettings))
        } catch {
            if !current.connection.isUsable { open = nil }
            throw error
        }
    }
}

@available(*, unavailable, message: "a database session belongs to one thread")
extension DatabaseSession: Sendable {}
