import ArgumentParser
import AuthSweep

/// What each man page says beyond the command's `--help`: the environment
/// and files it reads, examples, related pages.
struct ManualContent {
    var environment: [(name: String, meaning: String)] = []
    var files: [(path: String, meaning: String)] = []
    /// Each one a command line as written at a shell; the tests run those
    /// of `authsweep` but `serve` against a test database (`manual --examples`).
    var examples: [(meaning: String, command: String)] = []
    var seeAlso: [(name: String, section: Int)] = []

    static let configurationVariables: [(name: String, meaning: String)] = [
        (
            "DATABASE_URL",
            "the connection: any libpq connection string or URI, or the application's own form (Prisma's, Django's, Rails'); unset, libpq's PG* variables apply"
        ),
        ("PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE, ...", "libpq's own variables, where DATABASE_URL does not say"),
        ("AUTHSWEEP_CONFIG", "the config file when --config is not given (default /etc/authsweep/authsweep.conf if it exists)"),
        ("AUTHSWEEP_ENV_FILE", "the environment file when --env-file is not given ('' for none)"),
        ("AUTHSWEEP_<KEY>", "any key of authsweep.conf(5), in capitals with _ for . (AUTHSWEEP_CLEANUP_BATCH_SIZE); wins over the file"),
    ]

    static let secretVariables: [(name: String, meaning: String)] = [
        ("CRON_SECRET, CRON_SECRET_FILE", "the Bearer secret the schedulers send (16 bytes or more, visible ASCII), or the file holding it"),
        ("CRON_SECRET_PREVIOUS, CRON_SECRET_PREVIOUS_FILE", "a second secret accepted during a rotation"),
        ("METRICS_TOKEN, METRICS_TOKEN_FILE", "a read-only token: metrics and status, never a cleanup"),
    ]

    static let configurationFiles: [(path: String, meaning: String)] = [
        ("/etc/authsweep/authsweep.conf", "the settings (authsweep.conf(5)); a conffile of the package"),
        ("/etc/authsweep/authsweep.env", "the environment: DATABASE_URL, the secret files, AUTHSWEEP_* (NAME=value lines)"),
    ]

    static let commonSeeAlso: [(name: String, section: Int)] = [("authsweep.conf", 5)]

    /// Every command's page name, from the command tree.
    static var pageNames: [String] {
        func names(_ command: any ParsableCommand.Type, prefix: String) -> [String] {
            let configuration = command.configuration
            guard configuration.shouldDisplay else { return [] }
            let name = prefix.isEmpty ? command._commandName : prefix + "." + command._commandName
            return [name] + configuration.subcommands.flatMap { names($0, prefix: name) }
        }
        // The generator also writes a page for the help command swift-argument-parser adds.
        return names(AuthSweepCommand.self, prefix: "") + ["authsweep.help"]
    }

    /// The content of the page `name` (authsweep.sessions.list for `authsweep sessions list`).
    static func page(_ name: String) -> ManualContent {
        var content = ManualContent(environment: configurationVariables, files: configurationFiles, seeAlso: commonSeeAlso)
        switch name {
        case "authsweep", "authsweep.serve":
            content = serviceContent(name, content)
        case "authsweep.check":
            content.environment += secretVariables
            content.examples = [("As the service sees it: the same user, files and role", "sudo -u authsweep authsweep check")]
        case "authsweep.cleanup-auth":
            content.examples = [
                ("What would go, each table's rule in words", "sudo -u authsweep authsweep cleanup-auth --dry-run --explain"),
                ("Clean, answering as the HTTP endpoint does", "sudo -u authsweep authsweep cleanup-auth --json"),
            ]
        case "authsweep.cleanup-sessions":
            content.examples = [
                ("Count what would go", "sudo -u authsweep authsweep cleanup-sessions --dry-run"),
                (
                    "Clean a large backlog in one run of at most ten minutes, with progress",
                    "sudo -u authsweep authsweep cleanup-sessions --time-budget 600 --verbose"
                ),
            ]
        case "authsweep.cleanup-all":
            content.examples = [
                ("Both cleanups, each whatever the other did", "sudo -u authsweep authsweep cleanup-all")
            ]
        case "authsweep.stats":
            content.examples = [("The session counts as the stats endpoint answers them", "sudo -u authsweep authsweep stats --json")]
        case "authsweep.status":
            content.examples = [("Whether each cleanup succeeded lately (exit 1 when one is stale)", "sudo -u authsweep authsweep status")]
        case "authsweep.config":
            content.examples = [
                ("The effective settings, secrets masked", "sudo -u authsweep authsweep config"),
                ("Every key with its environment variable, default and meaning", "authsweep config --reference"),
            ]
        case "authsweep.help":
            content.examples = [("A command's options and exit statuses", "authsweep help cleanup-sessions")]
        case "authsweep.secret", "authsweep.secret.fingerprint":
            content = ManualContent(seeAlso: [("authsweep.check", 1)])
            content.files = [("/etc/authsweep/cron_secret", "the service's secret, to compare with a scheduler's")]
            content.examples = [
                ("Compare a scheduler's secret with the service's, showing neither", "authsweep secret fingerprint < /etc/authsweep/cron_secret")
            ]
        case "authsweep.sessions.list", "authsweep.sessions.revoke", "authsweep.sessions.invalidate", "authsweep.users.set-role",
            "authsweep.users.update", "authsweep.sessions", "authsweep.users":
            content.environment += [("ADMIN_DATABASE_URL", "the administration role's connection; these commands use it instead of DATABASE_URL when set")]
            content.examples = administrationExamples[name] ?? []
        default:
            break
        }
        return content
    }

    /// The command's page and serve's: the service's variables and files.
    static func serviceContent(_ name: String, _ common: ManualContent) -> ManualContent {
        var content = common
        switch name {
        case "authsweep":
            content.environment += secretVariables
            content.files += [("/usr/share/doc/authsweep/", "the documentation, and examples/ (schema, crontab, GitHub workflow, Prometheus rules)")]
            content.examples = [
                ("Check the installation as the service sees it", "sudo -u authsweep authsweep check"),
                ("Run both cleanups once", "sudo -u authsweep authsweep cleanup-all"),
                ("Read the secrets and settings again, with no request refused", "systemctl reload authsweep@1.service"),
            ]
        case "authsweep.serve":
            content.environment +=
                secretVariables + [
                    ("FCGI_WEB_SERVER_ADDRS", "on TCP: the only web servers let in (comma-separated addresses)"),
                    ("LISTEN_FDS, LISTEN_PID", "the listening socket systemd hands over (socket activation)"),
                    ("NOTIFY_SOCKET", "where systemd listens for READY=1, RELOADING=1 and STOPPING=1 (Type=notify)"),
                ]
            content.files += [
                ("/etc/authsweep/cron_secret", "the secret, mode 0640 root:authsweep, made at the package's first install"),
                ("/run/authsweep/authsweep-N.sock", "worker N's socket, held by authsweep@N.socket"),
            ]
            content.examples = [
                (
                    "As the package's unit runs it, on the socket systemd hands over",
                    "authsweep serve --config /etc/authsweep/authsweep.conf --env-file /etc/authsweep/authsweep.env"
                ),
                ("On a socket of its own, with four responders", "authsweep serve --listen unix:/run/authsweep/authsweep-1.sock --threads 4"),
                ("Rotate the secret: read the files again, refusing no request", "systemctl reload authsweep@1.service"),
            ]
            content.seeAlso += [("systemd.socket", 5), ("nginx", 8)]
        default:
            break
        }
        return content
    }

    static let administrationExamples: [String: [(meaning: String, command: String)]] = [
        "authsweep.sessions": [("A user's active sessions", "sudo -u authsweep authsweep sessions list user-bob")],
        "authsweep.sessions.list": [("A user's active sessions, tokens shortened, as JSON", "sudo -u authsweep authsweep sessions list user-bob --json")],
        "authsweep.sessions.revoke": [
            (
                "End one session (its token on standard input, out of ps and the shell history)",
                "sudo -u authsweep authsweep sessions revoke - <<< \"$SESSION_TOKEN\""
            )
        ],
        "authsweep.sessions.invalidate": [
            (
                "Sign a user out everywhere but the session they are using",
                "sudo -u authsweep authsweep sessions invalidate user-bob --except - <<< \"$SESSION_TOKEN\""
            )
        ],
        "authsweep.users": [("Make a user an administrator", "sudo -u authsweep authsweep users set-role user-bob ADMIN")],
        "authsweep.users.set-role": [("Make a user an administrator", "sudo -u authsweep authsweep users set-role user-bob ADMIN")],
        "authsweep.users.update": [("Change a user's email", "sudo -u authsweep authsweep users update user-bob --email bob@example.org")],
    ]
}
