import AuthSweep
import Prometheus

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
