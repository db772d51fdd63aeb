import Postgres

/// What a URI's parameters become for libpq: libpq's own kept, the
/// frameworks' translated or ignored (with a note), the rest refused.
struct URIParameterTranslation {
    struct Unusable: Error {
        let why: String
    }

    let values: [String: String]
    let prisma: Bool
    var kept: [String] = []
    var added: [(String, String)] = []
    var notes: [String] = []
    var searchPath: [String] = []

    init(parameters: [(key: String, value: String)]) {
        values = Dictionary(parameters.map { ($0.key, $0.value) }) { _, last in last }
        prisma = parameters.contains { DatabaseURL.prismaOnly.contains($0.key) }
    }

    mutating func translate(_ key: String, _ value: String) throws(Unusable) {
        switch key {
        case "schema":
            // Prisma: the one schema its tables are in.
            searchPath = [value]
        case "schema_search_path", "currentSchema":
            // Rails, dj-database-url: a comma-separated list.
            searchPath = value.split(separator: ",").map { DatabaseURL.unquoted($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
        case "encoding":
            // Rails' name for the client encoding.
            added.append(("client_encoding", value))
        case "sslcert" where prisma || (values["sslkey"] == nil && !value.hasPrefix("/")):
            try translatePrismaCertificate(value)
        case "sslaccept":
            try translateSSLAccept(value)
        case "sslidentity":
            throw Unusable(
                why:
                    "sslidentity (Prisma's PKCS#12 client identity) cannot be used: libpq takes a PEM certificate and key; convert it (openssl pkcs12 -in identity.p12 -clcerts -nokeys -out client.crt, and -nocerts -nodes -out client.key) and give sslcert= and sslkey= with absolute paths, without sslidentity= and sslpassword="
            )
        case "sslpassword" where values["sslkey"] == nil:
            // Prisma's password of its sslidentity file; libpq's decrypts an sslkey, and there is none.
            notes.append(
                "sslpassword is not used: there is no sslkey for libpq to decrypt with it (Prisma's sslidentity it belongs to cannot be used; after converting it, give sslkey= with sslpassword= if the key stays encrypted)"
            )
        case "sslmode" where values["sslaccept"] == "strict":
            return
        case let known where ConnectionString.keywords.contains(known) || known == "ssl":
            // libpq's own (`ssl=true` is its JDBC spelling of sslmode=require).
            kept.append(DatabaseURL.percentEncoded(key) + "=" + DatabaseURL.percentEncoded(value))
        default:
            guard let why = DatabaseURL.ignored[key] else {
                throw Unusable(
                    why:
                        "unknown parameter '\(DatabaseURL.printableKey(Substring(key)))': it is neither libpq's nor one of Prisma's, Rails' or Django's that authsweep knows"
                )
            }
            notes.append("\(key) is ignored: \(why)")
        }
    }

    /// Prisma's sslcert is the server's CA, read relative to its prisma/
    /// folder; libpq's is a client certificate.
    private mutating func translatePrismaCertificate(_ value: String) throws(Unusable) {
        guard value.hasPrefix("/") else {
            throw Unusable(
                why:
                    "sslcert '\(value)' is a relative path (Prisma reads it from its prisma/ folder, libpq from the working directory): give an absolute path, as sslrootcert= for the server's CA or as sslcert= with sslkey= for a client certificate"
            )
        }
        guard values["sslrootcert"] == nil else {
            throw Unusable(why: "sslcert is Prisma's server CA here, and sslrootcert names another: keep one of them")
        }
        added.append(("sslrootcert", value))
        notes.append("sslcert (Prisma's server CA) is given to libpq as sslrootcert: the server's certificate is checked against it")
    }

    private mutating func translateSSLAccept(_ value: String) throws(Unusable) {
        switch value {
        case "strict":
            guard values["sslmode"] != "disable" else {
                throw Unusable(why: "sslaccept=strict asks for a checked certificate, and sslmode=disable for no TLS at all")
            }
            added.append(("sslmode", "verify-full"))
            if values["sslcert"] == nil && values["sslrootcert"] == nil {
                guard FileReader.exists(DatabaseURL.systemCertificates) else {
                    throw Unusable(why: "sslaccept=strict needs the CA that signed the server's certificate: add sslrootcert=/path/to/ca.pem")
                }
                added.append(("sslrootcert", DatabaseURL.systemCertificates))
            }
            notes.append("sslaccept=strict: sslmode=verify-full, the certificate and the host name are checked")
        case "accept_invalid_certs":
            notes.append(
                "sslaccept=accept_invalid_certs: libpq accepts an unchecked certificate only with no CA given (sslmode=require); with one it is checked"
            )
        default:
            throw Unusable(why: "sslaccept must be strict or accept_invalid_certs, got '\(value)'")
        }
    }
}
