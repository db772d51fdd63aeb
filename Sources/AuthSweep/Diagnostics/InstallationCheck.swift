import Postgres

/// What `authsweep check` runs for an operator: it looks at the effective
/// configuration, the secret, the database and the socket paths, and says
/// in plain words what is wrong and what to do.
public struct InstallationCheck: Sendable {
    /// One finding; `fix` is a concrete next step when there is one.
    public struct Finding: Sendable, Equatable {
        public enum Level: Sendable, Equatable {
            case ok
            /// Works, but wider than it should be; `check` still passes.
            case warning
            /// Breaks authsweep; `check` fails.
            case problem
        }

        public let level: Level
        public let message: String
        public let fix: String?

        public var ok: Bool { level != .problem }

        init(ok: Bool, message: String, fix: String?) {
            self.init(level: ok ? .ok : .problem, message: message, fix: fix)
        }

        init(level: Level, message: String, fix: String?) {
            self.level = level
            self.message = message
            self.fix = fix
        }
    }

    public let configuration: Configuration
    public let environment: Environment

    public init(configuration: Configuration, environment: Environment) {
        self.configuration = configuration
        self.environment = environment
    }

    /// Every finding, in order; `databaseReachable` is false when no
    /// connection could be made.
    public func examine() -> (findings: [Finding], databaseReachable: Bool) {
        var findings = [secretFinding()]
        findings += (configuration.database?.notes ?? []).map { Finding(ok: true, message: "DATABASE_URL: \($0)", fix: nil) }
        findings += secretFileFindings()
        findings += socketFindings()
        let database = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
        do throws(JobError) {
            try database.withRunner { runner throws(JobError) in
                findings.append(Finding(ok: true, message: "the database is reachable", fix: nil))
                findings += try topologyFindings(runner)
                findings += try schemaFindings(runner)
            }
        } catch {
            if case .database(let failure) = error, failure.kind == .connectionFailed {
                findings.append(
                    Finding(
                        ok: false, message: "the database cannot be reached: \(failure.detail)",
                        fix: "check DATABASE_URL (or the PG* variables) and that PostgreSQL is running"))
                return (findings, false)
            }
            findings.append(Finding(ok: false, message: "the database check failed: \(error.logDescription)", fix: nil))
        }
        return (findings, true)
    }
}
