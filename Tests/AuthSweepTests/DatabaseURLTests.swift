@_spi(ForTesting) import Postgres
import Testing

@testable import AuthSweep

@Suite("the application's own DATABASE_URL")
struct DatabaseURLTests {
    /// The parameters libpq reads from `url`, as key=value pairs.
    func libpqParameters(_ url: DatabaseURL) -> [String: String] {
        Dictionary((ConnectionString.parameters(url.connectionString) ?? []).map { ($0.keyword, $0.value) }) { _, last in last }
    }

    @Test("Prisma's own .env line: schema= becomes the search path of every transaction, and libpq is given the rest")
    func prismaSchema() throws {
        let url = try DatabaseURL(parsing: "postgresql://johndoe:randompassword@localhost:5432/mydb?schema=public")
        #expect(url.connectionString == "postgresql://johndoe:randompassword@localhost:5432/mydb")
        #expect(url.searchPath == ["public"])
        #expect(url.notes == ["schema is honoured: every transaction searches public"])
        var configuration = Configuration()
        configuration.databaseURL = "postgresql://johndoe:randompassword@localhost:5432/mydb?schema=public"
        let settings = DatabaseSettings(configuration: configuration)
        #expect(settings.transactionSettings.contains { $0.name == "search_path" && $0.value == #""public""# })
        #expect(settings.connectionString == url.connectionString)
    }

    @Test("Prisma's pool and PgBouncer parameters mean nothing to authsweep: each is dropped with a note")
    func prismaPool() throws {
        let url = try DatabaseURL(
            parsing:
                "postgresql://app@db:5432/app?schema=App%20Data&connection_limit=5&pool_timeout=10&pgbouncer=true&statement_cache_size=0&socket_timeout=30&connect_timeout=7"
        )
        #expect(url.searchPath == ["App Data"])
        #expect(libpqParameters(url)["connect_timeout"] == "7", "libpq's own parameter is kept")
        for name in ["connection_limit", "pool_timeout", "pgbouncer", "statement_cache_size", "socket_timeout"] {
            #expect(url.notes.contains { $0.hasPrefix("\(name) is ignored: ") }, "\(name): \(url.notes)")
            #expect(libpqParameters(url)[name] == nil)
        }
    }

    @Test("Prisma's TLS parameters are honoured, never dropped: sslcert is the server's CA, sslaccept=strict checks the certificate and the host")
    func prismaTLS() throws {
        let strict = try DatabaseURL(parsing: "postgresql://app@db/app?schema=public&sslmode=require&sslcert=/etc/authsweep/ca.pem&sslaccept=strict")
        #expect(libpqParameters(strict)["sslmode"] == "verify-full")
        #expect(libpqParameters(strict)["sslrootcert"] == "/etc/authsweep/ca.pem")
        #expect(libpqParameters(strict)["sslcert"] == nil, "not a client certificate")
        let system = try DatabaseURL(parsing: "postgresql://app@db/app?sslmode=require&sslaccept=strict")
        #expect(libpqParameters(system)["sslrootcert"] == DatabaseURL.systemCertificates)
        let lenient = try DatabaseURL(parsing: "postgresql://app@db/app?sslmode=require&sslaccept=accept_invalid_certs")
        #expect(libpqParameters(lenient)["sslmode"] == "require")
        #expect(lenient.notes.contains { $0.hasPrefix("sslaccept=accept_invalid_certs") })
    }

    @Test("sslpassword decrypts an sslkey for libpq; with no sslkey (Prisma's password of its identity file) it is dropped with a note, never silently")
    func sslPassword() throws {
        let withKey = try DatabaseURL(parsing: "postgresql://app@db/app?sslmode=verify-full&sslcert=/etc/c.crt&sslkey=/etc/c.key&sslpassword=k3y")
        #expect(libpqParameters(withKey)["sslpassword"] == "k3y" && libpqParameters(withKey)["sslkey"] == "/etc/c.key")
        #expect(withKey.notes.isEmpty, "\(withKey.notes)")
        let alone = try DatabaseURL(parsing: "postgresql://app@db/app?schema=public&sslmode=require&sslpassword=k3y")
        #expect(libpqParameters(alone)["sslpassword"] == nil)
        #expect(alone.notes.contains { $0.hasPrefix("sslpassword is not used: there is no sslkey") }, "\(alone.notes)")
        #expect(!alone.notes.joined().contains("k3y"), "no secret in a note")
    }

    @Test(
        "a parameter that cannot be honoured is a usage error naming it",
        arguments: [
            ("postgresql://a@b/c?schema=public&sslidentity=client.p12&sslpassword=x", "sslidentity"),
            ("postgresql://a@b/c?sslmode=require&sslcert=../server-ca.pem", "sslcert '../server-ca.pem' is a relative path"),
            ("postgresql://a@b/c?sslaccept=sometimes", "sslaccept must be strict or accept_invalid_certs"),
            ("postgresql://a@b/c?sslmode=disable&sslaccept=strict", "sslaccept=strict"),
            ("postgresql://a@b/c?schema=public&fancy_option=1", "unknown parameter 'fancy_option'"),
            ("postgresql://a@b/c?schema", "the parameter 'schema' is not key=value"),
            ("host=/tmp dbname='unterminated", "libpq cannot read this connection string"),
        ])
    func unusable(url: String, named: String) {
        let error = #expect(throws: ConfigurationError.self) { try DatabaseURL(parsing: url) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("DATABASE_URL: ") && message.contains(named), "\(message)")
    }

    @Test(
        "Rails', Heroku's, Laravel's and dj-database-url's forms: postgres:// and pgsql://, pool settings dropped with a note, encoding as the client encoding, the search path honoured"
    )
    func railsAndDjango() throws {
        let rails = try DatabaseURL(
            parsing:
                "postgres://app:secret@db.example.com:5432/app_production?pool=5&encoding=unicode&prepared_statements=false&reconnect=true&schema_search_path=app,public"
        )
        #expect(libpqParameters(rails)["client_encoding"] == "unicode")
        #expect(libpqParameters(rails)["host"] == "db.example.com" && libpqParameters(rails)["password"] == "secret")
        #expect(rails.searchPath == ["app", "public"])
        #expect(rails.notes.filter { $0.contains(" is ignored: ") }.count == 3, "\(rails.notes)")
        let heroku = try DatabaseURL(parsing: "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8abc")
        #expect(heroku.connectionString == "postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d8abc" && heroku.notes.isEmpty)
        let laravel = try DatabaseURL(parsing: "pgsql://forge:secret@127.0.0.1:5432/forge")
        #expect(laravel.connectionString == "postgresql://forge:secret@127.0.0.1:5432/forge")
        let django = try DatabaseURL(parsing: "postgres://u@h/d?conn_max_age=600&currentSchema=tenant&sslmode=require")
        #expect(django.searchPath == ["tenant"] && libpqParameters(django)["sslmode"] == "require")
    }

    @Test(
        "libpq's own forms are read as before",
        arguments: [
            "host=/tmp dbname=x user=y", "postgresql:///x?host=/var/run/postgresql",
            "postgresql://u@h:5433/d?sslmode=verify-full&target_session_attrs=read-write&application_name=a%20b",
        ])
    func libpqForms(url: String) throws {
        let parsed = try DatabaseURL(parsing: url)
        #expect(parsed.searchPath.isEmpty && parsed.notes.isEmpty)
        let before = Dictionary((ConnectionString.parameters(url) ?? []).map { ($0.keyword, $0.value) }) { _, last in last }
        #expect(libpqParameters(parsed) == before)
    }
}
