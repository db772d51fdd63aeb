package import AuthSweep
package import Prometheus

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

    /// The handles for answered requests; `route` is the endpoint's name,
    /// or `other` for unknown paths so that arbitrary paths cannot grow the
    /// label set. Callers keep them: each lookup checks names and labels.
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
}

extension ServiceMetrics {
    /// Every reason's and every secret's counter at zero, before the first request.
    package func registerAuthentication() {
        for reason in ["missing", "malformed", "mismatch"] { _ = authFailures(reason) }
        for secret in ["current", "previous", "metrics"] { _ = authSuccesses(secret) }
    }

    /// Requests refused by the Bearer check: `missing`, `malformed` or
    /// `mismatch`. Callers keep the handle, as with `requestRecorder`.
    package func authFailures(_ reason: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name("auth_failures", "total", "Requests refused by the Bearer check, by reason: missing, malformed, mismatch"),
            labels: [("reason", reason)])
    }

    /// Requests the Bearer check let in, by which secret: `current`,
    /// `previous` or `metrics`.
    package func authSuccesses(_ secret: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.name(
                "auth_successes", "total", "Requests let in by the Bearer check, by secret: current, previous (rotation), metrics (read-only token)"),
            labels: [("secret", secret)])
    }
}

extension ServiceMetrics {
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
