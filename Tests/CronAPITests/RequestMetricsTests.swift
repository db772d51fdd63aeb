import Testing

@testable import AuthSweep
@testable import CronAPI

@Suite("Request metrics")
struct RequestMetricsTests {
    @Test("requests are counted by route and status")
    func requests() {
        let metrics = ServiceMetrics()
        metrics.requestRecorder(route: "session-stats", status: 200).record(.milliseconds(10))
        metrics.requestRecorder(route: "session-stats", status: 200).record(.milliseconds(20))
        metrics.requestRecorder(route: "other", status: 404).record(.milliseconds(1))
        let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(exposition.contains(#"authsweep_http_requests_total{route="session-stats",status="200"} 2"#))
        #expect(exposition.contains(#"authsweep_http_requests_total{route="other",status="404"} 1"#))
        #expect(exposition.contains("# TYPE authsweep_http_request_duration_seconds histogram"))
    }
}
