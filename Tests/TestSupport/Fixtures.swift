import Foundation
import Postgres

/// Runs the real `authsweep` binary, against `database` when one is given
/// (its `DATABASE_URL`); `environment` adds to that, and nil removes a
/// variable.
public func authsweep(
    _ arguments: [String], database: TestDatabase?, environment: [String: String?] = [:], standardInput: String? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
    var merged: [String: String?] = database?.environment.mapValues { $0 } ?? [:]
    // No environment file unless a test names one: a host with the package
    // installed has /etc/authsweep/authsweep.env, which must not leak in.
    merged["AUTHSWEEP_ENV_FILE"] = ""
    for (name, value) in environment { merged[name] = value }
    return try ChildProcess.run(PackagePaths.binary, arguments, environment: merged, standardInput: standardInput)
}

/// A self-signed certificate and its key (EC P-256), made with openssl in
/// `directory`, for nginx in the tests.
public struct SelfSignedCertificate: Sendable {
    public let certificate: String
    public let key: String

    public init(in directory: String, commonName: String, days: Int = 2) throws {
        certificate = directory + "/cert.pem"
        key = directory + "/key.pem"
        let openssl = try ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", String(days), "-subj", "/CN=\(commonName)",
            ])
        guard openssl.status == 0 else { throw TestSetupError("openssl failed: \(openssl.stderr)") }
    }
}

extension TestDatabase {
    /// How many rows `table` (a name as the schema spells it, quoted here)
    /// has, or how many of them match `condition`.
    public func rowCount(_ table: String, where condition: String? = nil) throws -> Int {
        let filter = condition.map { " WHERE \($0)" } ?? ""
        return try integer(SQLQuery(unsafeSQL: "SELECT count(*) FROM \"\(table)\"\(filter)"))
    }

    /// Creates (once) the login role `role` with docs/install.md's grants for
    /// the workers and the timer, nothing more.
    public func createWorkerRole(_ role: String) throws {
        try execute(
            """
            DO $$ BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, DELETE ON login_attempts, auth_audit_log, user_sessions, "Session" TO \(role);
            GRANT SELECT, INSERT ON "AuditLog" TO \(role);
            GRANT SELECT, INSERT, UPDATE ON authsweep_jobs TO \(role);
            """)
    }

    /// Connections the workers hold to this database now (their
    /// `application_name` is `authsweep`).
    public func workerConnections() throws -> Int {
        try integer("SELECT count(*) FROM pg_stat_activity WHERE datname = \(name) AND application_name = 'authsweep'")
    }
}
