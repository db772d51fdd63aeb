import Postgres

/// `DATABASE_URL` as the application has it, made into what libpq reads.
///
/// An application's connection string carries its framework's own
/// parameters besides libpq's: Prisma's `schema`, `connection_limit`,
/// `pgbouncer`, `sslaccept`, ...; Rails' and Heroku's `pool`, `encoding`,
/// `prepared_statements`, ...; dj-database-url's `currentSchema`; Laravel's
/// `pgsql://` scheme. Each is
/// honoured (the schema becomes the search path of every transaction,
/// `encoding` the client encoding, Prisma's `sslcert` the server's CA) or,
/// where it means nothing to a tool with one connection and no prepared
/// statements, dropped with a note that `check` and `config` print. A
/// parameter that bears on security is never dropped; one that cannot be
/// honoured, or that nobody knows, is a usage error naming it.
public struct DatabaseURL: Sendable, Equatable {
    /// What libpq is given.
    public let connectionString: String
    /// The schemas to search, in order (Prisma's `schema`, Rails'
    /// `schema_search_path`); empty for the role's own search path.
    public let searchPath: [String]
    /// One line per parameter dropped or changed, saying why.
    public let notes: [String]

    /// Where a system-wide set of trusted CAs lives on Debian (libpq 15 has
    /// no `sslrootcert=system`): what Prisma's `sslaccept=strict` trusts
    /// when no CA file is given.
    static let systemCertificates = "/etc/ssl/certs/ca-certificates.crt"

    /// Parameters that only Prisma writes: their presence says how to read `sslcert`.
    static let prismaOnly: Set<String> = [
        "schema", "connection_limit", "pool_timeout", "pgbouncer", "socket_timeout", "statement_cache_size", "sslaccept", "sslidentity",
    ]

    /// Parameters of Prisma, Rails, Heroku or dj-database-url that mean
    /// nothing here, and why.
    static let ignored: [String: String] = [
        "connection_limit": "authsweep keeps one connection per responder thread (serve.threads), not a pool",
        "pool_timeout": "authsweep has no pool to wait for",
        "pgbouncer": "authsweep prepares no statements and sets nothing beyond a transaction, so it works behind PgBouncer as it is",
        "statement_cache_size": "authsweep prepares no statements",
        "socket_timeout": "authsweep bounds every statement by database.statement_timeout_ms and a dead link by TCP keepalives",
        "pool": "authsweep keeps one connection per responder thread (serve.threads), not a pool",
        "checkout_timeout": "authsweep has no pool to wait for",
        "idle_timeout": "authsweep has no pool of idle connections",
        "reaping_frequency": "authsweep has no pool to reap",
        "prepared_statements": "authsweep prepares no statements",
        "statement_limit": "authsweep prepares no statements",
        "advisory_locks": "authsweep keeps its runs apart with a lease row, not advisory locks",
        "reconnect": "authsweep reconnects by itself",
        "timeout": "authsweep bounds every statement by database.statement_timeout_ms",
        "min_messages": "authsweep logs no server notices",
        "conn_max_age": "authsweep keeps each responder's connection open and replaces it once broken",
        "conn_health_checks": "authsweep checks a connection before each use",
    ]

    /// Reads `text`; `variable` names it in errors (`DATABASE_URL`).
    public init(parsing given: String, variable: String = "DATABASE_URL") throws(ConfigurationError) {
        func unusable(_ why: String) -> ConfigurationError { ConfigurationError("\(variable): \(why)") }
        // Laravel's DATABASE_URL may say pgsql://, which libpq does not know.
        let text = given.hasPrefix("pgsql://") ? "postgresql://" + given.dropFirst("pgsql://".count) : given
        let isURI = text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
        guard isURI, let question = text.firstIndex(of: "?") else {
            // libpq's key=value form, or a URI without parameters: libpq's own.
            guard ConnectionString.isParsable(text) else {
                throw unusable(
                    "libpq cannot read this connection string: check its quoting and keywords (key=value pairs, or postgresql://user@host:port/database)")
            }
            self.init(connectionString: text, searchPath: [], notes: [])
            return
        }
        var parameters: [(key: String, value: String)] = []
        for pair in text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "="),
                let key = Self.percentDecoded(pair[..<equals]), let value = Self.percentDecoded(pair[pair.index(after: equals)...])
            else {
                throw unusable("the parameter '\(Self.printableKey(pair))' is not key=value")
            }
            parameters.append((key, value))
        }
        var translation = URIParameterTranslation(parameters: parameters)
        for (key, value) in parameters {
            do throws(URIParameterTranslation.Unusable) {
                try translation.translate(key, value)
            } catch {
                throw unusable(error.why)
            }
        }
        var notes = translation.notes
        let searchPath = translation.searchPath
        if !searchPath.isEmpty {
            notes.append(
                "\(translation.values["schema"] != nil ? "schema" : "the schema search path") is honoured: every transaction searches \(searchPath.joined(separator: ", "))"
            )
        }
        let kept = translation.kept + translation.added.map { Self.percentEncoded($0.0) + "=" + Self.percentEncoded($0.1) }
        let connectionString = String(text[..<question]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
        guard ConnectionString.isParsable(connectionString) else {
            throw unusable("libpq cannot read this connection string: check its percent-encoding and its keywords' values")
        }
        self.init(connectionString: connectionString, searchPath: searchPath, notes: notes)
    }

    init(connectionString: String, searchPath: [String], notes: [String]) {
        self.connectionString = connectionString
        self.searchPath = searchPath
        self.notes = notes
    }

    static func unquoted(_ name: String) -> String {
        guard name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") else { return name }
        return String(name.dropFirst().dropLast()).replacing("\"\"", with: "\"")
    }

    /// A key for an error message: printable ASCII only, at most 40 characters.
    static func printableKey(_ key: Substring) -> String {
        let name = key.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
        return String(name.filter { $0.isASCII && !$0.isWhitespace && $0.asciiValue! >= 0x21 && $0.asciiValue! < 0x7f }.prefix(40))
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high != utf8.endIndex, utf8.index(after: high) != utf8.endIndex,
                    let value = UInt8(String(decoding: utf8[high...utf8.index(after: high)], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                index = utf8.index(high, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            let character = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (character.isLetter || character.isNumber || "-._~/".contains(character)) {
                encoded.append(character)
            } else {
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}

extension Configuration {
    /// `DATABASE_URL` read as libpq needs it; `nil` when unset (or
    /// unusable: `checkDatabaseURLs` says why at start).
    public var database: DatabaseURL? {
        databaseURL.flatMap { try? DatabaseURL(parsing: $0) }
    }

    /// Both connection strings must be usable: a usage error (exit 64)
    /// naming the parameter at fault, never a failed connection later.
    public func checkDatabaseURLs() throws(ConfigurationError) {
        if let databaseURL { _ = try DatabaseURL(parsing: databaseURL) }
        if let administrationDatabaseURL { _ = try DatabaseURL(parsing: administrationDatabaseURL, variable: "ADMIN_DATABASE_URL") }
    }
}
