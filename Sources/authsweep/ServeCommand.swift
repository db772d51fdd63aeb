import ArgumentParser
import AuthSweep
import CronAPI
import FastCGI
import Logging
import Pings

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
            SIGHUP (systemctl reload): read the config file, the --env-file and the secret \
            files again; requests that start afterwards use them (serve.* needs a \
            restart); one that does not load is refused and logged, and the worker \
            serves on with what it had. Under systemd (NOTIFY_SOCKET) it says when it is \
            ready, reloading and stopping (Type=notify). \
            SIGTERM or SIGINT: stop accepting, finish the requests in flight, exit 0.

            """
                + ExitStatus.help(
                    [0, ExitStatus.usage],
                    own: [
                        0: "stopped by SIGTERM or SIGINT",
                        ExitStatus.usage: "bad usage or configuration (no secret, a bad one, a listen address that cannot be used)",
                    ])
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
            // Before the environment file applies: a reload reads that file again over it.
            let startEnvironment = Environment.current()
            let configuration = try common.loadConfiguration(readingDefaultEnvironmentFile: false)
            let environment = Environment.current()
            let secrets = try CronSecrets.load(from: environment)
            let levelControl = LogLevelControl(.info)
            let logger = common.makeLogger(configuration, defaultLevel: Logger.Level(rawValue: configuration.logLevel) ?? .info, control: levelControl)
            let source = common.source
            let common = common
            let worker = CronWorker(
                configuration: configuration, serving: ServingConfiguration(configuration.serve, listen: listen, threads: threads),
                secrets: secrets, logger: logger,
                monitor: { configuration in
                    configuration.monitorPingURL.map { DeadManPings(base: $0, style: configuration.monitorPingStyle, logger: logger) }
                },
                source: { () throws(ConfigurationError) in try source.reloaded(startEnvironment: startEnvironment) },
                environment: environment,
                onReloaded: { configuration in
                    levelControl.current = common.level(defaultLevel: Logger.Level(rawValue: configuration.logLevel) ?? .info)
                })
            do throws(FastCGIError) {
                try worker.run()
            } catch {
                throw fail(error.description, code: ExitStatus.usage)
            }
        }
    }
}
