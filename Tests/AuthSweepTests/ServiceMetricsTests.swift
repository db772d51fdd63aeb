import Testing

@testable import AuthSweep

@Suite("Prometheus metrics")
struct ServiceMetricsTests {
    func text(_ metrics: ServiceMetrics) -> String {
        String(decoding: metrics.exposition(), as: UTF8.self)
    }

    @Test("cleanup runs count rows, durations and the last success per job; a busy run only counts as busy")
    func cleanupRuns() throws {
        let metrics = ServiceMetrics()
        metrics.runEnded(.cleanupSessions, result: .success, deleted: 42, duration: .milliseconds(500))
        metrics.runEnded(.cleanupSessions, result: .success, deleted: 8, duration: .milliseconds(500))
        metrics.runEnded(.cleanupSessions, result: .busy, deleted: 0, duration: .zero)
        metrics.runEnded(.cleanupAuth, result: .error, deleted: 0, duration: .seconds(1))
        metrics.databaseError(.query)
        let exposition = text(metrics)
        #expect(exposition.contains(#"authsweep_cleanup_runs_total{cleanup="cleanup-sessions",result="success"} 2"#))
        #expect(exposition.contains(#"authsweep_cleanup_runs_total{cleanup="cleanup-sessions",result="busy"} 1"#))
        #expect(exposition.contains(#"authsweep_cleanup_runs_total{cleanup="cleanup-auth",result="error"} 1"#))
        #expect(exposition.contains(#"authsweep_cleanup_rows_deleted_total{cleanup="cleanup-sessions"} 50"#))
        #expect(exposition.contains(#"authsweep_cleanup_duration_seconds_count{cleanup="cleanup-sessions"} 2"#))
        #expect(exposition.contains(#"authsweep_database_errors_total{kind="query"} 1"#))
        let lastSuccess = try #require(
            exposition.split(separator: "\n").first { $0.hasPrefix(#"authsweep_cleanup_last_success_timestamp_seconds{cleanup="cleanup-sessions"}"#) })
        let value = try #require(Double(lastSuccess.split(separator: " ").last ?? ""))
        #expect(abs(value - Double(Timestamp.now().millisecondsSinceEpoch) / 1000) < 60)
        #expect(!exposition.contains(#"authsweep_cleanup_last_success_timestamp_seconds{cleanup="cleanup-auth"}"#))
        #expect(exposition.contains(#"authsweep_cleanup_last_run_failed{cleanup="cleanup-auth"} 1.0"#), "\(exposition)")
        #expect(exposition.contains(#"authsweep_cleanup_last_run_failed{cleanup="cleanup-sessions"} 0.0"#), "a busy run is no result")
    }

    @Test("every run counter an alert reads exists at 0 from the start")
    func countersFromZero() {
        let metrics = ServiceMetrics()
        metrics.registerCleanupRuns()
        let exposition = text(metrics)
        for job in ["cleanup-auth", "cleanup-sessions"] {
            for result in ["success", "error", "busy"] {
                #expect(exposition.contains(#"authsweep_cleanup_runs_total{cleanup="\#(job)",result="\#(result)"} 0"#), "\(exposition)")
            }
        }
    }
}
