package import AuthSweep
import Logging
import Prometheus

extension CronWorker {
    /// The settings a request runs with, from a configuration and secrets.
    func settings(
        _ configuration: Configuration, _ secrets: CronSecrets, database: DatabaseSettings? = nil, metrics: ServiceMetrics
    ) -> CronSettings {
        CronSettings(
            jobs: CleanupJobs(configuration: configuration, logger: logger, observers: [metrics] + (monitor(configuration).map { [$0] } ?? [])),
            authorizer: BearerAuthorizer(secrets: secrets.accepted, readOnlyTokens: secrets.metricsToken.map { [$0] } ?? []),
            timeBudget: .seconds(configuration.httpTimeBudgetSeconds),
            database: database ?? DatabaseSettings(configuration: configuration))
    }

    /// SIGHUP (`systemctl reload`): the configuration file, the environment
    /// file and the secret files are read again and every request that
    /// starts afterwards runs with them; a request in flight finishes with
    /// the settings it began with, and nothing stops accepting meanwhile.
    /// What needs a new socket or new threads (`serve.*`) stays as it was
    /// until a restart; the log level changes with the rest. A configuration or secret that
    /// does not load is refused whole: the worker serves on with what it had.
    func reload(_ context: CronContext, metrics: ServiceMetrics) {
        let fresh: (configuration: Configuration, secrets: CronSecrets)
        do throws(ConfigurationError) {
            fresh = try source()
        } catch {
            metrics.reloaded(succeeded: false)
            logger.error("reload refused, serving on with the settings it had: \(error.message)")
            return
        }
        context.replace(settings(fresh.configuration, fresh.secrets, metrics: metrics))
        onReloaded(fresh.configuration)
        metrics.reloaded(succeeded: true)
        if fresh.configuration.serve != configuration.serve {
            logger.warning("reloaded, but serve.* changed: the listeners, threads and limits take effect at the next restart (systemctl restart)")
        }
        logger.notice(
            "reloaded: the configuration, the environment file and the secrets",
            metadata: [
                "secrets.accepted": "\(fresh.secrets.accepted.count)", "metrics_token": "\(fresh.secrets.metricsToken != nil)",
                "log.level": "\(fresh.configuration.logLevel)",
            ])
    }
}

extension ServiceMetrics {
    /// Both results at zero from the start, so an alert can use `increase`.
    package func registerReloads() {
        for result in ["success", "failure"] { _ = reloadsCounter(result) }
    }

    package func reloaded(succeeded: Bool) {
        reloadsCounter(succeeded ? "success" : "failure").increment()
    }

    private func reloadsCounter(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("reloads", "total", "Reloads (SIGHUP, systemctl reload) by result: success, or failure (the settings it had kept)"),
            labels: [("result", result)])
    }
}
