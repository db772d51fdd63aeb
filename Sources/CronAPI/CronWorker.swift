public import AuthSweep
public import FastCGI
public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One worker process as `authsweep serve` runs it: its listeners, the
/// FastCGI server with the `serve.*` limits, the rejection log and metric,
/// the context every responder shares, and one request handler (with its
/// own database session) per responder thread.
public struct CronWorker: Sendable {
    private let configuration: Configuration
    private let secrets: CronSecrets
    private let logger: Logger
    private let addresses: [String]
    private let threads: Int
    private let monitor: (any RunObserver)?
    private let environment: Environment

    /// - Parameters:
    ///   - addresses: `unix:/path.sock` or `HOST:PORT`; none: the listening
    ///     socket handed over (systemd's LISTEN_FDS, else fd 0).
    ///   - monitor: told of every cleanup run (the dead-man pings).
    ///   - environment: where systemd's `LISTEN_FDS` and `FCGI_WEB_SERVER_ADDRS` are read.
    public init(
        configuration: Configuration, secrets: CronSecrets, logger: Logger, addresses: [String], threads: Int, monitor: (any RunObserver)?,
        environment: Environment
    ) {
        self.configuration = configuration
        self.secrets = secrets
        self.logger = logger
        self.addresses = addresses
        self.threads = threads
        self.monitor = monitor
        self.environment = environment
    }

    /// Responders mostly wait on PostgreSQL, so two per core, within 2 to 16.
    public static func defaultThreadCount() -> Int {
        min(16, max(2, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }

    /// Serves until SIGTERM or SIGINT (see `FastCGIServer.run`).
    public func run() throws(FastCGIError) {
        let listeners =
            try addresses.isEmpty
            ? FastCGIListener.inherited(environment: environment.variables)
            : addresses.map { address throws(FastCGIError) in
                try FastCGIListener.open(address, socketMode: configuration.effectiveSocketMode, socketGroup: configuration.socketGroup)
            }
        let metrics = ServiceMetrics()
        metrics.registerConnectionRejections()
        metrics.registerCleanupRuns()
        metrics.registerDatabaseErrors()
        metrics.registerServer(responders: threads)
        let rejections = RejectionLog(logger: logger)
        let webServers = try WebServerAddresses.from(environment: environment.variables)
        let server = try FastCGIServer(
            listeners: listeners,
            threads: threads,
            readTimeoutSeconds: configuration.readTimeoutSeconds,
            limits: FastCGILimits(configuration),
            webServers: webServers,
            onRejection: { rejection in
                metrics.connectionRejected(rejection)
                rejections.record(rejection)
            })
        let context = CronContext(
            jobs: CleanupJobs(configuration: configuration, logger: logger, observers: [metrics] + (monitor.map { [$0] } ?? [])),
            metrics: metrics,
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
            onStart: { started(listeners: listeners, webServers: webServers) })
        logger.info("stopped")
    }

    /// What an operator should know once the worker serves.
    private func started(listeners: [FastCGIListener], webServers: WebServerAddresses?) {
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
                "serve.threads": "\(threads)",
                "serve.pid": "\(getpid())",
            ])
    }
}

extension FastCGILimits {
    /// The `serve.*` limits of a request and of the worker's unfinished requests.
    public init(_ configuration: Configuration) {
        self.init(
            parameterBytes: configuration.maxParameterBytes, parameterCount: configuration.maxParameters,
            unfinishedBytes: configuration.maxUnfinishedBytes)
    }
}
