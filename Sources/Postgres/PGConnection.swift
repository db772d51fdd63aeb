internal import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libpq connection (`PGconn`), owned and closed by this object.
///
/// Not thread-safe, as libpq connections are not: keep one per thread.
public final class PGConnection {
    let handle: OpaquePointer

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - connectionString: any string or URI libpq accepts; `nil` leaves
    ///     everything to libpq's `PG*` environment variables.
    ///   - defaults: parameters used unless the connection string or the
    ///     environment sets them (for example `connect_timeout`).
    ///
    /// No run-time parameter is set for the session: behind a pooler it
    /// would outlive authsweep's use of the server connection (see
    /// `beginTransaction(localSettings:)`).
    public init(connectionString: String?, defaults: [String: String] = [:]) throws(PostgresError) {
        // Later keywords win in PQconnectdbParams, so the defaults go first
        // and the operator's connection string last.
        var keywords = defaults.keys.sorted()
        var values: [String?] = keywords.map { defaults[$0] }
        if let connectionString {
            keywords.append("dbname")
            values.append(connectionString)
        }
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(kind: .connectionFailed, detail: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            // libpq rule: a failed PGconn must still be released with PQfinish.
            PQfinish(connection)
            throw PostgresError(kind: .connectionFailed, detail: message.trimmed)
        }
        handle = connection
    }

    deinit {
        PQfinish(handle)
    }

    /// Whether the connection is still usable; after a lost connection the
    /// owner should drop this object and open a new one.
    public var isUsable: Bool {
        PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the connection can still be used, noticing a server that
    /// closed it while it sat idle (restart, `pg_terminate_backend`): the
    /// owner then drops it and opens a new one instead of failing a request.
    public var isAlive: Bool {
        guard isUsable else { return false }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return true }
        // Data on an idle connection is a termination notice or EOF.
        return PQconsumeInput(handle) == 1 && isUsable && descriptor.revents & Int16(POLLHUP) == 0
    }

    /// Whether a transaction block is open on this connection (`BEGIN` sent,
    /// no `COMMIT` or `ROLLBACK` yet), failed or not.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Starts a transaction whose run-time parameters are set for it alone
    /// (`set_config(name, value, true)`, which is `SET LOCAL`), in one round
    /// trip. Behind a transaction-mode pooler the server connection is
    /// shared: a session-level `SET` would stay on it for whoever runs next.
    /// Names are settings authsweep chooses (letters, digits and
    /// underscores); values are quoted by libpq (`PQescapeLiteral`), since
    /// a search path comes from the connection string.
    public func beginTransaction(localSettings: [(name: String, value: String)], function: String = #function) throws(PostgresError) {
        let plain = { (text: String) in !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
        precondition(localSettings.allSatisfy { plain($0.name) }, "a local setting whose name is not a plain word")
        var assignments: [String] = []
        for setting in localSettings {
            assignments.append("set_config('\(setting.name)', \(try literal(setting.value)), true)")
        }
        try executeScript(unsafeSQL: "BEGIN;" + (assignments.isEmpty ? "" : " SELECT " + assignments.joined(separator: ", ")), function: function)
    }

    /// `value` as an SQL string literal (`PQescapeLiteral`), for the one
    /// script that cannot bind parameters.
    private func literal(_ value: String) throws(PostgresError) -> String {
        guard let quoted = PQescapeLiteral(handle, value, value.utf8.count) else {
            throw error(kind: .unexpectedResult, sqlState: nil, function: #function)
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Runs one statement, its values bound as text parameters (an unnamed
    /// statement: nothing stays prepared on the server).
    @discardableResult
    public func query(_ query: SQLQuery, function: String = #function) throws(PostgresError) -> PGResult {
        let (sql, values) = query.rendered
        let result = withCStringArray(values) { valuePointers in
            PQexecParams(handle, sql, Int32(values.count), nil, valuePointers, nil, nil, 0)
        }
        return try finish(result, function: function)
    }

    /// Runs a script of several statements with no parameters (`PQexec`),
    /// for trusted SQL such as a schema file: never build it from values.
    public func executeScript(unsafeSQL script: String, function: String = #function) throws(PostgresError) {
        _ = try finish(PQexec(handle, script), function: function)
    }

    /// Copies a finished statement's rows out and frees the `PGresult`, or
    /// turns its failure into a `PostgresError` that keeps the SQLSTATE.
    private func finish(_ result: OpaquePointer?, function: String) throws(PostgresError) -> PGResult {
        guard let result else {
            throw error(kind: isUsable ? .queryFailed : .connectionLost, sqlState: nil, function: function)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResult(copying: result)
        default:
            let sqlState = PQresultErrorField(result, diagnosticSQLState).map { SQLState(rawValue: String(cString: $0)) }
            let message = String(cString: PQresultErrorMessage(result)).trimmed
            throw PostgresError(kind: kind(sqlState: sqlState), sqlState: sqlState, detail: message, location: function)
        }
    }

    /// `name` quoted as an SQL identifier (`PQescapeIdentifier`), the only
    /// way to put a name into an `SQLQuery`.
    public func identifier(_ name: String) throws(PostgresError) -> SQLIdentifier {
        let utf8Count = name.utf8.count
        guard let quoted = PQescapeIdentifier(handle, name, utf8Count) else {
            throw error(kind: .unexpectedResult, sqlState: nil, function: #function)
        }
        defer { PQfreemem(quoted) }
        return SQLIdentifier(name: name, quoted: String(cString: quoted))
    }

    private func kind(sqlState: SQLState?) -> PostgresError.Kind {
        isUsable ? PostgresError.Kind(failedStatement: sqlState) : .connectionLost
    }

    private func error(kind: PostgresError.Kind, sqlState: SQLState?, function: String) -> PostgresError {
        PostgresError(kind: kind, sqlState: sqlState, detail: String(cString: PQerrorMessage(handle)).trimmed, location: function)
    }
}

@available(*, unavailable, message: "a libpq connection belongs to one thread")
extension PGConnection: Sendable {}

/// PG_DIAG_SQLSTATE is the character 'C'.
private let diagnosticSQLState = Int32(UInt8(ascii: "C"))

/// Calls `body` with a NULL-terminated array of C strings copied from
/// `strings`; the copies live only for the call.
private func withCStringArray<Result>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withCStringArray<Result>(
    _ strings: [String],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    withCStringArray(strings.map { Optional($0) }, body)
}

extension String {
    fileprivate var trimmed: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
