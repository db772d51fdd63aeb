/// Which URL scheme the dead-man pings use (`monitor.ping_style`).
public enum PingStyle: String, Sendable, CaseIterable {
    /// `<base>/<job>/start`, `<base>/<job>`, `<base>/<job>/fail` (healthchecks.io and compatible).
    case healthchecks
    /// `<base>/<job>?state=run|complete|fail` (Cronitor's telemetry).
    case cronitor
}
