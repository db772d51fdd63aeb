package import AuthSweep
package import Prometheus

/// Why the Bearer check refused a request (a metrics token used where only
/// a cron secret opens is a mismatch too).
enum AuthFailure: String, CaseIterable {
    case missing, malformed, mismatch

    /// Why `credential` was refused.
    init(refused credential: BearerAuthorizer.Credential) {
        switch credential {
        case .missing: self = .missing
        case .malformed: self = .malformed
        case .mismatch, .currentSecret, .previousSecret, .metricsToken: self = .mismatch
        }
    }
}

/// Which secret opened a request: `previous` stays flat once a rotation
/// may end; `metrics` is the read-only token.
enum AuthSecret: String, CaseIterable {
    case current, previous, metrics

    init(_ credential: BearerAuthorizer.Credential) {
        switch credential {
        case .previousSecret: self = .previous
        case .metricsToken: self = .metrics
        default: self = .current
        }
    }
}

/// The route label of a request: bounded, so that arbitrary paths cannot
/// grow the label set.
enum RouteLabel: Hashable {
    case endpoint(Endpoint)
    /// A known path asked with a method it does not take (405).
    case knownPath(String)
    /// Anything else (404).
    case other

    init(_ decision: RouteDecision, path: String) {
        switch decision {
        case .endpoint(let endpoint): self = .endpoint(endpoint)
        case .methodNotAllowed: self = .knownPath(path)
        case .notFound: self = .other
        }
    }

    var value: String {
        switch self {
        case .endpoint(let endpoint): endpoint.name
        case .knownPath(let path): path
        case .other: "other"
        }
    }
}

/// One responder thread's request metrics: the busy and idle gauges, the
/// Bearer check's counters, and answered requests by route and status. The
/// handles are made on first use and kept (the registry checks names and
/// labels on every lookup). Belongs to one thread, as its handler does.
final class RequestMetrics {
    private let metrics: ServiceMetrics
    private let busy: Gauge
    private let idle: Gauge
    private var failures: [AuthFailure: Counter] = [:]
    private var successes: [AuthSecret: Counter] = [:]
    private var recorders: [RecorderKey: ServiceMetrics.RequestRecorder] = [:]

    private struct RecorderKey: Hashable {
        let route: RouteLabel
        let status: Int
    }

    init(_ metrics: ServiceMetrics) {
        self.metrics = metrics
        busy = metrics.respondersGauge("busy")
        idle = metrics.respondersGauge("idle")
    }

    /// This thread begins answering a request.
    func began() {
        busy.increment()
        idle.decrement()
    }

    /// This thread is idle again.
    func ended() {
        busy.decrement()
        idle.increment()
    }

    func refused(_ reason: AuthFailure) {
        if let counter = failures[reason] { return counter.increment() }
        let counter = metrics.authFailures(reason.rawValue)
        failures[reason] = counter
        counter.increment()
    }

    func admitted(_ secret: AuthSecret) {
        if let counter = successes[secret] { return counter.increment() }
        let counter = metrics.authSuccesses(secret.rawValue)
        successes[secret] = counter
        counter.increment()
    }

    func answered(_ route: RouteLabel, status: Int, in time: Duration) {
        let key = RecorderKey(route: route, status: status)
        if let recorder = recorders[key] { return recorder.record(time) }
        let recorder = metrics.requestRecorder(route: route.value, status: status)
        recorders[key] = recorder
        recorder.record(time)
    }

    func databaseError(_ kind: DatabaseErrorKind) {
        metrics.databaseError(kind)
    }
}

extension ServiceMetrics {
    /// Counts answered requests of one route and status, and their time.
    package struct RequestRecorder {
        let answered: Counter
        let duration: DurationHistogram

        func record(_ time: Duration) {
            answered.increment()
            duration.record(time)
        }
    }

    /// The handles for answered requests; `route` is a `RouteLabel`'s value.
    package func requestRecorder(route: String, status: Int) -> RequestRecorder {
        RequestRecorder(
            answered: registry.makeCounter(
                descriptor: Self.name("http_requests", "total", "HTTP requests answered, by route and status"),
                labels: [("route", route), ("status", String(status))]
            ),
            duration: registry.makeDurationHistogram(
                descriptor: Self.name("http_request_duration", "seconds", "Time to answer a request, by route"),
                labels: [("route", route)],
                buckets: Self.durationBuckets
            )
        )
    }

    /// Every reason's and every secret's counter at zero, before the first request.
    package func registerAuthentication() {
        AuthFailure.allCases.forEach { _ = authFailures($0.rawValue) }
        AuthSecret.allCases.forEach { _ = authSuccesses($0.rawValue) }
    }

    /// Requests refused by the Bearer check, by `AuthFailure`.
    package func authFailures(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("auth_failures", "total", "Requests refused by the Bearer check, by reason: missing, malformed, mismatch"),
            labels: [("reason", reason)])
    }

    /// Requests the Bearer check let in, by `AuthSecret`.
    package func authSuccesses(_ secret: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name(
                "auth_successes", "total", "Requests let in by the Bearer check, by secret: current, previous (rotation), metrics (read-only token)"),
            labels: [("secret", secret)])
    }

    /// `authsweep_build_info{version} 1`, and the responders all idle.
    package func registerServer(responders: Int) {
        registry.makeGauge(
            descriptor: Self.name("build", "info", "This build: its version, in the label"),
            labels: [("version", BuildInfo.version)]
        ).set(to: 1.0)
        respondersGauge("idle").set(to: Double(responders))
        respondersGauge("busy").set(to: 0.0)
    }

    /// Responder threads answering a request (`busy`) or waiting (`idle`):
    /// all busy for long means requests wait for a thread.
    package func respondersGauge(_ state: String) -> Gauge {
        registry.makeGauge(
            descriptor: Self.name("responders", "", "Responder threads by state: busy (answering a request) or idle"),
            labels: [("state", state)])
    }
}
