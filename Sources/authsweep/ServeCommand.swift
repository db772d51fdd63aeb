import ArgumentParser
import AuthSweep
import CronAPI
import FastCGI
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the FastCGI responder that nginx forwards /api/cron/ to.",
        discussion: """
            With no --listen (and no serve.listen in the config), serves the listening \
            socket it was handed: systemd socket activation (LISTEN_FDS), else fd 0 as \
            spawn-fcgi passes it. Needs CRON_SECRET or CRON_SECRET_FILE (16 bytes or \
            more, visible ASCII); CRON_SECRET_PREVIOUS(_FILE) is also accepted during a \
            rotation, and METRICS_TOKEN(_FILE) opens the metrics only. On TCP, \
            FCGI_WEB_SERVER_ADDRS (comma-separated IP addresses) lists the only web \
            servers let in. Requests beyond serve.max_params_bytes or serve.max_params, \
            or not well-formed FastCGI for a responder, are closed unanswered and counted \
            in authsweep_fastcgi_rejected_connections_total. \
            SIGTERM or SIGINT: stop accepting, finish the requests in flight, exit 0.
            """
    )

    @Option(name: .long, help: ArgumentHelp("unix:/path.sock or HOST:PORT; repeatable.", valueName: "ADDR"))
    var listen: [String] = []

    @Option(name: .long, help: ArgumentHelp("Responder threads, each with its own database connection (default: 2 per core, 2 to 16).", valueName: "N"))
    var threads: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let threads, !(1...256).contains(threads) {
            throw ValidationError("--threads must be from 1 to 256")
        }
    }

    func run() throws {
        try runCommand {
            let configuration = try common.loadConfiguration(readingDefaultEnvironmentFile: false)
            let secrets = try CronSecrets.load(from: .current())
            let logger = common.makeLogger(configuration, defaultLevel: Logger.Level(rawValue: configuration.logLevel) ?? .info)
            let addresses = listen.isEmpty ? configuration.listen : listen
            let threadCount = threads ?? configuration.threads ?? Self.defaultThreadCount()
            do throws(FastCGIError) {
                let listeners =
                    try addresses.isEmpty
                    ? FastCGIListener.inherited()
                    : addresses.map { address throws(FastCGIError) in
                        try FastCGIListener.open(address, socketMode: configuration.effectiveSocketMode, socketGroup: configuration.socketGroup)
                    }
                let metrics = ServiceMetrics()
                metrics.registerConnectionRejections(reasons: FastCGIRejection.allCases.map(\.rawValue))
                metrics.registerCleanupRuns()
                metrics.registerServer(responders: threadCount)
                let rejections = RejectionLog(logger: logger)
                let webServers = try WebServerAddresses.fromEnvironment()
                let server = try FastCGIServer(
                    listeners: listeners,
                    threads: threadCount,
                    readTimeoutSeconds: configuration.readTimeoutSeconds,
                    limits: FastCGILimits(
                        parameterBytes: configuration.maxParameterBytes, parameterCount: configuration.maxParameters,
                        unfinishedBytes: configuration.maxUnfinishedBytes),
                    webServers: webServers,
                    onRejection: { rejection in
                        metrics.connectionRejected(reason: rejection.rawValue)
                        rejections.record(rejection)
                    })
                let context = CronContext(
                    jobs: CleanupJobs(
                        configuration: configuration, logger: logger, metrics: metrics,
                        monitor: configuration.monitorPingURL.map { DeadManPings(base: $0, style: configuration.monitorPingStyle, logger: logger) }),
                    authorizer: BearerAuthorizer(secrets: secrets.accepted, readOnlyTokens: secrets.metricsToken.map { [$0] } ?? []),
                    timeBudget: .seconds(configuration.httpTimeBudgetSeconds),
                    logger: logger
                )
                let settings = DatabaseSettings(configuration: configuration)
                try server.run(
                    makeHandler: { index in
                        var threadLogger = logger
                        threadLogger[metadataKey: "worker.thread"] = "\(index)"
                        return CronRequestHandler(context: context, database: DatabaseSession(settings: settings), logger: threadLogger)
                    },
                    onStart: {
                        if configuration.socketGroup == nil, configuration.socketMode == nil, addresses.contains(where: { $0.hasPrefix("unix:") }) {
                            logger.notice(
                                "the unix socket is mode 0600: only this user can connect; set serve.socket_group to nginx's group (www-data on Debian) to let nginx in"
                            )
                        }
                        for listener in listeners where webServers == nil && listener.isTCPBeyondLoopback {
                            logger.warning(
                                "\(listener.address) accepts FastCGI from other hosts: anyone who reaches it can send requests; set FCGI_WEB_SERVER_ADDRS to nginx's address, or listen on a unix socket or 127.0.0.1"
                            )
                        }
                        logger.info(
                            "serving",
                            metadata: [
                                "serve.listen": "\(listeners.map(\.address).joined(separator: ","))",
                                "serve.threads": "\(threadCount)",
                                "serve.pid": "\(getpid())",
                            ])
                    })
                logger.info("stopped")
            } catch {
                throw fail(error.description, code: ExitStatus.usage)
            }
        }
    }

    /// Responders mostly wait on PostgreSQL, so two per core, within 2 to 16.
    static func defaultThreadCount() -> Int {
        min(16, max(2, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }
}
