import AuthSweep
import FastCGI
import Locking
import Logging
import Prometheus

/// Logs connections the worker closed for breaking a rule, at most once a
/// minute per reason with the count since the last line, so that a hostile
/// peer cannot turn its attempts into a flood of log lines. Every one is
/// counted in `authsweep_fastcgi_rejected_connections_total` as it happens.
final class RejectionLog: Sendable {
    private struct Tally {
        var unlogged = 0
        var lastLogged: ContinuousClock.Instant?
    }

    private static let interval = Duration.seconds(60)
    private let tallies = Locked<[FastCGIRejection: Tally]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func record(_ rejection: FastCGIRejection) {
        let now = ContinuousClock.now
        let count = tallies.withLock { tallies -> Int? in
            var tally = tallies[rejection, default: Tally()]
            tally.unlogged += 1
            defer { tallies[rejection] = tally }
            if let last = tally.lastLogged, last.duration(to: now) < Self.interval { return nil }
            tally.lastLogged = now
            defer { tally.unlogged = 0 }
            return tally.unlogged
        }
        guard let count else { return }
        logger.warning(
            "closed a web-server connection: \(Self.explanation(rejection))",
            metadata: ["fastcgi.rejection": "\(rejection.rawValue)", "fastcgi.rejections_since_last_message": "\(count)"])
    }

    private static func explanation(_ rejection: FastCGIRejection) -> String {
        switch rejection {
        case .malformedRecord: "it sent something that is not FastCGI"
        case .unexpectedRecord: "it sent a FastCGI record a responder does not take (multiplexing, management or abort records)"
        case .unsupportedRole: "it asked for a FastCGI role other than responder"
        case .parametersTooLarge: "its parameters were larger than serve.max_params_bytes"
        case .tooManyParameters: "it sent more parameters than serve.max_params"
        case .readTimeout: "its request did not arrive in full within serve.read_timeout_seconds"
        case .writeTimeout: "it did not take its answer within serve.read_timeout_seconds"
        case .peerNotAllowed: "its address is not in FCGI_WEB_SERVER_ADDRS"
        case .overBudget:
            "the unfinished requests of all connections held more than serve.max_unfinished_bytes, and its had begun first (many peers sending slowly, or one sending more than it reads)"
        }
    }
}

extension ServiceMetrics {
    /// A web-server connection the worker closed for breaking a rule of the
    /// FastCGI protocol or a limit.
    func connectionRejected(_ rejection: FastCGIRejection) {
        rejectedConnections(rejection).increment()
    }

    /// Shows every reason's counter at zero before the first rejection, so
    /// that an alert on its rate has a series from the start.
    func registerConnectionRejections() {
        FastCGIRejection.allCases.forEach { _ = rejectedConnections($0) }
    }

    private func rejectedConnections(_ rejection: FastCGIRejection) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("fastcgi_rejected_connections", "total", "Web-server connections closed for breaking the protocol or a limit, by reason"),
            labels: [("reason", rejection.rawValue)]
        )
    }
}
