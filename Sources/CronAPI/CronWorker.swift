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
/// own database session) per responder thread. It tells systemd when it is
/// ready, reloads its settings on SIGHUP (see `reload`), and stops on
/// SIGTERM or SIGINT.
public struct CronWorker: Sendable {
    let configuration: Configuration
    let secrets: CronSecrets
    let logger: Logger
    let serving: ServingConfiguration
    let monitor: @Sendable (Configuration) -> (any RunObserver)?
    let source: @Sendable () throws(ConfigurationError) -> (Configuration, CronSecrets)
    /// Told of each configuration a reload takes (the log level is set there).
    let onReloaded: @Sendable (Configuration) -> Void
    private let environment: Environment

    /// - Parameters:
    ///   - serving: the listeners, responders and limits.
    ///   - monitor: what is told of every cleanup run with a configuration
    ///     (the dead-man pings), if anything.
    ///   - source: the configuration and secrets as they are now, read
    ///     again on each reload.
    ///   - environment: where systemd's `LISTEN_FDS`, `NOTIFY_SOCKET` and
    ///     `FCGI_WEB_SERVER_ADDRS` are read.
    ///   - onReloaded: told of each configuration a reload takes.
    public init(
        configuration: Configuration, serving: ServingConfiguration, secrets: CronSecrets, logger: Logger,
        monitor: @escaping @Sendable (Configuration) -> (any RunObserver)?,
        source: @escaping @Sendable () throws(ConfigurationError) -> (Configuration, CronSecrets),
        environment: Environment,
        onReloaded: @escaping @Sendable (Configuration) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.secrets = secrets
        self.logger = logger
        self.serving = serving
        self.monitor = monitor
        self.source = source
        self.environment = environment
        self.onReloaded = onReloaded
    }

    /// Serves until SIGTERM or SIGINT (see `FastCGIServer.run`).
    public func run() throws(FastCGIError) {
        let listeners =
            try serving.addresses.isEmpty
            ? FastCGIListener.inherited(environment: environment.variables)
            : serving.addresses.map { address throws(FastCGIError) in
                try FastCGIListener.open(address, socketMode: serving.socketMode, socketGroup: serving.socketGroup)
            }
        let metrics = ServiceMetrics()
        metrics.registerConnectionRejections()
        metrics.registerCleanupRuns()
        metrics.registerDatabaseErrors()
        metrics.registerServer(responders: serving.threads)
        metrics.registerReloads()
        let rejections = RejectionLog(logger: logger)
        let webServers = try WebServerAddresses.from(environment: environment.variables)
        let server = try FastCGIServer(
            listeners: listeners,
            threads: serving.threads,
            readTimeoutSeconds: serving.readTimeoutSeconds,
            limits: serving.limits,
            webServers: webServers,
            onRejection: { rejection in
                metrics.connectionRejected(rejection)
                rejections.record(rejection)
            })
        let database = DatabaseSettings(configuration: configuration)
        let context = CronContext(settings: settings(configuration, secrets, database: database, metrics: metrics), metrics: metrics, logger: logger)
        let serviceManager = ServiceManagerNotifier(environment: environment.variables)
        try server.run(
            makeHandler: { index in
                var threadLogger = logger
                threadLogger[metadataKey: "worker.thread"] = "\(index)"
                return CronRequestHandler(context: context, database: DatabaseSession(settings: database), logger: threadLogger)
            },
            onStart: {
                started(listeners: listeners, webServers: webServers)
                serviceManager.ready()
            },
            onReload: {
                serviceManager.reloading()
                reload(context, metrics: metrics)
                serviceManager.ready()
            },
            onStop: {
                serviceManager.stopping()
                logger.info("stopping: finishing the requests in flight")
            })
        logger.info("stopped")
    }

    /// What an operator should know once the worker serves.
    private func started(listeners: [FastCGIListener], webServers: WebServerAddresses?) {
        if serving.socketIsPrivate, serving.addresses.contains(where: { $0.hasPrefix("unix:") }) {
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
                "serve.threads": "\(serving.threads)",
                "serve.pid": "\(getpid())",
            ])
    }
}
