import Foundation
import Postgres
import TestSupport
import Testing

/// A rotated password the deployment did not follow: the database refuses
/// the role before any table is read, and the run must still raise its
/// alarm at once, with nothing of the password in it.
@Suite("a password the database refuses")
final class PasswordRefusedTests {
    @Test("a wrong password: exit 69, one /fail ping under a fresh id, no start ping, the password nowhere; the right one cleans")
    func wrongPassword() throws {
        let scratch = try ScratchDirectory("password")
        let postgres = try PostgresServer(in: scratch.path)
        try postgres.requirePassword(for: "authsweep_pw")
        let superuser = try PGConnection(connectionString: postgres.connectionString)
        try superuser.executeScript(
            unsafeSQL: "SET client_min_messages = warning;" + TestDatabase.schema
                + """
                CREATE ROLE authsweep_pw LOGIN PASSWORD 'the-right-password-42';
                GRANT SELECT, DELETE ON "Session" TO authsweep_pw;
                GRANT SELECT, INSERT ON "AuditLog" TO authsweep_pw;
                GRANT SELECT, INSERT, UPDATE ON authsweep_jobs TO authsweep_pw;
                """)
        let url = { (password: String) in "host=\(postgres.directory) dbname=postgres user=authsweep_pw password=\(password)" }
        let recorder = try PingRecorder()
        let environment = ["AUTHSWEEP_MONITOR_PING_URL": recorder.baseURL]

        let refused = try authsweep(["cleanup-sessions"], database: nil, environment: environment.merging(["DATABASE_URL": url("rotated-away-17")]) { $1 })
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("password authentication failed"), "the database's reason: \(refused.stderr)")
        let requests = recorder.requests
        try #require(requests.count == 1, "\(requests.map(\.target))")
        #expect(requests[0].method == "POST" && requests[0].target.hasPrefix("/ping/cleanup-sessions/fail?rid="), "\(requests[0].target)")
        #expect(requests[0].body.hasSuffix("; authsweep check says what to fix"), "\(requests[0].body)")
        for text in [refused.stdout, refused.stderr, requests[0].body] {
            #expect(!text.contains("rotated-away-17") && !text.contains("the-right-password-42"), "a password shown: \(text)")
        }

        let cleaned = try authsweep(
            ["cleanup-sessions"], database: nil, environment: environment.merging(["DATABASE_URL": url("the-right-password-42")]) { $1 })
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(recorder.requests.count == 3, "start and success after the right password: \(recorder.requests.map(\.target))")
    }
}
