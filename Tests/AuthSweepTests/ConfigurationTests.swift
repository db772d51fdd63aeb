import Fixtures
import Foundation
import Testing

@_spi(ForTesting) @testable import AuthSweep

@Suite("Configuration")
struct ConfigurationTests {
    /// Removed with the test's suite instance.
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("configuration")
    }

    @Test("a unix socket is never open to every local user: 0600 alone, 0660 with a group, or the mode set")
    func socketModes() {
        var configuration = Configuration()
        #expect(configuration.serve.effectiveSocketMode == 0o600)
        configuration.serve.socketGroup = "www-data"
        #expect(configuration.serve.effectiveSocketMode == 0o660)
        configuration.serve.socketMode = 0o640
        #expect(configuration.serve.effectiveSocketMode == 0o640)
    }

    @Test("with no file and no variables every default matches the contract")
    func defaults() throws {
        let configuration = try Configuration.load(path: nil, environment: Environment([:]))
        let tables = configuration.tables
        #expect(tables.loginAttempts == "login_attempts" && tables.authAuditLog == "auth_audit_log" && tables.userSessions == "user_sessions")
        #expect(tables.session == "Session" && tables.sessionExpires == "expires" && tables.sessionToken == "sessionToken")
        #expect(tables.user == "User" && tables.auditLog == "AuditLog" && tables.auditLogCreatedAt == "createdAt")
        #expect(configuration.authRetentionHours == 24)
        #expect(configuration.httpTimeBudgetSeconds < 60)
        #expect(configuration.deletionScan == .automatic)
        #expect(configuration.cleanupPartitions == .drop)
        #expect(configuration.databaseURL == nil)
    }

    @Test("a config file written on Windows (CRLF) or old Mac (CR) reads as one with LF, and an error names the right line", arguments: ["\r\n", "\r"])
    func lineEnds(end: String) throws {
        var configuration = Configuration()
        try configuration.apply(
            fileText: ["# batching", "cleanup.batch_size = 250", "", "[session]", "table = AppSession"].joined(separator: end), origin: "f")
        #expect(configuration.batchSize == 250 && configuration.tables.session == "AppSession")
        let error = #expect(throws: ConfigurationError.self) { try configuration.apply(fileText: ["a.b = 1"].joined(separator: end), origin: "f") }
        #expect(error?.message == "f, line 1: unknown key 'a.b'", "\(String(describing: error))")
        let second = #expect(throws: ConfigurationError.self) { try configuration.apply(fileText: ["", "no equals here"].joined(separator: end), origin: "f") }
        #expect(second?.message.hasPrefix("f, line 2: ") == true, "\(String(describing: second))")
    }

    @Test("a file sets keys, with sections, comments and quotes; the environment wins over it")
    func fileThenEnvironment() throws {
        let path = try scratch.file(
            containing:
                """
                # retention and batching
                auth.retention_hours = 48
                cleanup.batch_size = 250
                cleanup.scan = sweep

                [session]
                table = "AppSession"
                expires = expiresAt
                """)
        let environment = Environment(["AUTHSWEEP_CLEANUP_BATCH_SIZE": "1000", "AUTHSWEEP_CLEANUP_PARTITIONS": "detach", "DATABASE_URL": "postgresql:///app"])
        let configuration = try Configuration.load(path: path, environment: environment)
        #expect(configuration.authRetentionHours == 48)
        #expect(configuration.batchSize == 1000)
        #expect(configuration.deletionScan == .sweep)
        #expect(configuration.cleanupPartitions == .detach)
        #expect(configuration.tables.session == "AppSession")
        #expect(configuration.tables.sessionExpires == "expiresAt")
        #expect(configuration.databaseURL == "postgresql:///app")
        #expect(configuration.sourcePath == path)
    }

    @Test(
        "a bad file is one message naming the file, the line and the key",
        arguments: [
            ("cleanup.batch_sise = 10", "line 1: unknown key 'cleanup.batch_sise'"),
            ("\n\ncleanup.batch_size = lots", "line 3: 'cleanup.batch_size' must be an integer from 1 to 1000000, got 'lots'"),
            ("auth.retention_hours = 0", "'auth.retention_hours' must be an integer from 1 to"),
            ("session.table = ", "'session.table' must be a table or column name"),
            ("serve.socket_mode = 999", "'serve.socket_mode' must be an octal file mode"),
            ("cleanup.scan = fast", "'cleanup.scan' must be one of auto, index, sweep, got 'fast'"),
            ("cleanup.partitions = delete", "'cleanup.partitions' must be one of drop, detach, rows, got 'delete'"),
            (
                "auth.presets = simplejwt, passport",
                "'auth.presets' names no auth preset: 'passport' (the auth presets: django-oauth-toolkit, simplejwt, doorkeeper, laravel-password-resets, django-axes, supabase)"
            ),
            ("auth.django_axes.log_age_days = 0", "'auth.django_axes.log_age_days' must be an integer from 1 to"),
            ("just words", "expected 'key = value'"),
            ("[broken", "malformed section header"),
        ])
    func badFile(text: String, expected: String) throws {
        let path = try scratch.file(containing: text)
        let error = #expect(throws: ConfigurationError.self) { try Configuration.load(path: path, environment: Environment([:])) }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test("auth.presets: names in the order given, each once, spaces and empty items ignored; unset, none; the frameworks' settings at their defaults")
    func authPresets() throws {
        #expect(try Configuration.load(path: nil, environment: Environment([:])).authPresets.isEmpty)
        let configuration = try Configuration.load(
            path: nil,
            environment: Environment([
                "AUTHSWEEP_AUTH_PRESETS": " supabase,simplejwt,, supabase ", "AUTHSWEEP_AUTH_DJANGO_OAUTH_TOOLKIT_REFRESH_TOKEN_EXPIRE_SECONDS": "86400",
            ]))
        #expect(configuration.authPresets == [.supabase, .simplejwt])
        #expect(configuration.authPresetSettings.oauthToolkitRefreshTokenExpireSeconds == 86_400)
        let defaults = AuthPresetSettings()
        #expect(defaults.oauthToolkitRefreshTokenExpireSeconds == nil && defaults.oauthToolkitRefreshTokenGracePeriodSeconds == 0)
        #expect(defaults.doorkeeperAccessTokenExpiresInSeconds == 7_200 && defaults.doorkeeperAuthorizationCodeExpiresInSeconds == 600)
        #expect(defaults.laravelPasswordResetExpireMinutes == 60 && defaults.axesLogAgeDays == 30 && defaults.supabaseAuditLogRetentionDays == 90)
    }

    @Test("a bad environment override names the variable")
    func badEnvironment() {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(path: nil, environment: Environment(["AUTHSWEEP_CLEANUP_BATCH_SIZE": "-5"]))
        }
        #expect(error?.message.hasPrefix("AUTHSWEEP_CLEANUP_BATCH_SIZE: 'cleanup.batch_size'") == true)
    }

    @Test("an explicit config file that is missing is an error")
    func missingFile() {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(path: "/nonexistent/authsweep.conf", environment: Environment([:]))
        }
        #expect(error?.message.contains("/nonexistent/authsweep.conf") == true)
    }

    @Test(
        "the effective configuration hides the database password, however the connection string writes it",
        arguments: [
            ("postgresql://app:hunter2@db.example:5432/app?sslmode=require", "user=app password=**** dbname=app host=db.example port=5432 sslmode=require"),
            ("host=db user=app password=hunter2 dbname=app", "user=app password=**** dbname=app host=db"),
            ("host=db password = 'hunter2 with spaces' dbname=app", "password=**** dbname=app host=db"),
            ("host=db password='two words' dbname='my app'", "password=**** dbname='my app' host=db"),
            ("postgresql://db/app?password=hunter2&user=app", "user=app password=**** dbname=app host=db"),
        ])
    func maskedURL(url: String, expected: String) {
        var configuration = Configuration()
        configuration.databaseURL = url
        #expect(configuration.maskedDatabaseURL == expected)
        #expect(configuration.maskedDatabaseURL?.contains("hunter2") == false)
        #expect(configuration.maskedDatabaseURL?.contains("words") == false)
    }

    @Test("a connection string libpq cannot parse is not printed at all")
    func unparsableURL() {
        var configuration = Configuration()
        configuration.databaseURL = "host=db password='hunter2"
        #expect(configuration.maskedDatabaseURL?.contains("hunter2") == false)
        #expect(configuration.maskedDatabaseURL?.contains("libpq cannot parse it") == true)
    }
}

@Suite("Secrets")
struct CronSecretsTests {
    /// Removed with the test's suite instance.
    let scratch: ScratchDirectory
    let longSecret = "0123456789abcdef-long-enough"

    init() throws {
        scratch = try ScratchDirectory("secrets")
    }

    @Test("CRON_SECRET alone is the one accepted secret")
    func directSecret() throws {
        let secrets = try CronSecrets.load(from: Environment(["CRON_SECRET": longSecret]))
        #expect(secrets.accepted == [Array(longSecret.utf8)])
    }

    @Test("CRON_SECRET_FILE is read with its trailing newline stripped; the previous secret is accepted too")
    func fileAndPrevious() throws {
        let path = try scratch.file(containing: longSecret + "\n")
        let secrets = try CronSecrets.load(from: Environment(["CRON_SECRET_FILE": path, "CRON_SECRET_PREVIOUS": "previous-secret-0123"]))
        #expect(secrets.current == Array(longSecret.utf8))
        #expect(secrets.previous == Array("previous-secret-0123".utf8))
    }

    @Test(
        "serve refuses to start with no secret, a short one, or a variable and its _FILE twin",
        arguments: [
            ([:], "no secret configured"),
            (["CRON_SECRET": ""], "no secret configured"),
            (["CRON_SECRET": "short"], "CRON_SECRET is 5 bytes long; at least 16"),
            (["CRON_SECRET": "0123456789abcdef", "CRON_SECRET_FILE": "/etc/hostname"], "both CRON_SECRET and CRON_SECRET_FILE are set"),
            (["CRON_SECRET": "0123456789abcdef", "CRON_SECRET_PREVIOUS": "tiny"], "CRON_SECRET_PREVIOUS is 4 bytes long"),
            (["CRON_SECRET_FILE": "/nonexistent/secret"], "cannot read '/nonexistent/secret'"),
        ])
    func refusals(variables: [String: String], expected: String) {
        let error = #expect(throws: ConfigurationError.self) { try CronSecrets.load(from: Environment(variables)) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        for value in variables.values where value.count > 3 && !value.hasPrefix("/") {
            #expect(error?.message.contains(value) == false, "an error message must not print a secret")
        }
    }

    @Test(
        "a secret file that is not one Bearer token is refused at start, saying what is wrong and never the secret",
        arguments: [
            ("two words in a secret\n", "CRON_SECRET has a space at byte 4"),
            ("0123456789abcdef0123\n\n", "CRON_SECRET has a line end at byte 21"),
            ("0123456789abcdef0123\r\n\r\n", "CRON_SECRET has a line end at byte 21"),
            ("0123456789abcdef\u{7}0123", "CRON_SECRET has a control byte at byte 17"),
            ("0123456789abcdef\t0123", "CRON_SECRET has a control byte at byte 17"),
            ("0123456789abcdef-é-0123", "CRON_SECRET has a byte outside ASCII at byte 18"),
        ])
    func unusableSecretFiles(contents: String, expected: String) throws {
        let path = try scratch.file(containing: contents)
        let error = #expect(throws: ConfigurationError.self) { try CronSecrets.load(from: Environment(["CRON_SECRET_FILE": path])) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("0123456789abcdef") == false)
    }

    @Test("METRICS_TOKEN is loaded like the secrets, and must differ from them")
    func metricsToken() throws {
        let path = try scratch.file(containing: "metrics-token-0123456789\n")
        let secrets = try CronSecrets.load(from: Environment(["CRON_SECRET": longSecret, "METRICS_TOKEN_FILE": path]))
        #expect(secrets.metricsToken == Array("metrics-token-0123456789".utf8))
        #expect(!secrets.accepted.contains(Array("metrics-token-0123456789".utf8)), "never a cron secret")
        let same = #expect(throws: ConfigurationError.self) {
            try CronSecrets.load(from: Environment(["CRON_SECRET": longSecret, "METRICS_TOKEN": longSecret]))
        }
        #expect(same?.message.contains("METRICS_TOKEN is the same as the cron secret") == true)
        let short = #expect(throws: ConfigurationError.self) { try CronSecrets.load(from: Environment(["CRON_SECRET": longSecret, "METRICS_TOKEN": "abc"])) }
        #expect(short?.message.contains("METRICS_TOKEN is 3 bytes long") == true)
    }
}
