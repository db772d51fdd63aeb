@_spi(ForTesting) import FastCGI
import Postgres
import Testing

@testable import AuthSweep
@testable import CronAPI

@Suite("Response bodies and headers")
struct APIResponseTests {
    let time = Timestamp(millisecondsSinceEpoch: 1_766_916_000_000)  // 2025-12-28T10:00:00.000Z

    func text(_ outcome: EndpointAnswer) -> String {
        String(decoding: APIResponse.response(for: outcome).body, as: UTF8.self)
    }

    @Test("cleanup-auth answers the contract's body, with per-table counts added")
    func cleanupAuthBody() {
        let outcome = CleanupOutcome.Auth(loginAttempts: 3, authAuditLog: 2, userSessions: 1)
        #expect(
            text(.cleanup(.cleanupAuth(outcome)))
                == #"{"success":true,"message":"Cleanup completed","deleted":{"loginAttempts":3,"authAuditLog":2,"userSessions":1}}"#)
    }

    @Test("cleanup-sessions answers deletedCount, the same number in the message, and the timestamp")
    func cleanupSessionsBody() {
        let outcome = CleanupOutcome.Sessions(deletedCount: 42, timestamp: time)
        #expect(
            text(.cleanup(.cleanupSessions(outcome)))
                == #"{"success":true,"deletedCount":42,"message":"Successfully deleted 42 expired session(s)","timestamp":"2025-12-28T10:00:00.000Z"}"#)
        let none = CleanupOutcome.Sessions(deletedCount: 0, timestamp: time)
        #expect(text(.cleanup(.cleanupSessions(none))).contains(#""deletedCount":0,"message":"Successfully deleted 0 expired session(s)""#))
    }

    @Test("a run cut at its time budget says hasMore")
    func hasMore() {
        let outcome = CleanupOutcome.Sessions(deletedCount: 5000, hasMore: true, timestamp: time)
        #expect(text(.cleanup(.cleanupSessions(outcome))).hasSuffix(#","hasMore":true}"#))
        #expect(text(.cleanup(.cleanupAuth(CleanupOutcome.Auth(hasMore: true)))).hasSuffix(#","hasMore":true}"#))
    }

    @Test("stats answers total, active, expired and the timestamp")
    func statsBody() {
        let stats = SessionStats(active: 108, expired: 42, timestamp: time)
        #expect(text(.sessionStats(stats)) == #"{"success":true,"stats":{"total":150,"active":108,"expired":42,"timestamp":"2025-12-28T10:00:00.000Z"}}"#)
    }

    @Test("each error row of the contract has its status and exact body")
    func errorRows() {
        let cases: [(EndpointAnswer, Int, String)] = [
            (.unauthorized, 401, #"{"error":"Unauthorized"}"#),
            (.methodNotAllowed(allowed: ["GET"]), 405, #"{"error":"Method Not Allowed"}"#),
            (.notFound, 404, #"{"error":"Not Found"}"#),
            (.failed(.alreadyRunning(.cleanupSessions)), 409, #"{"success":false,"error":"Cleanup already in progress"}"#),
            (
                .failed(.database(PostgresError(kind: .connectionFailed, detail: "could not connect to server"))), 500,
                #"{"success":false,"error":"Internal Server Error"}"#
            ),
            (
                .failed(.database(PostgresError(kind: .queryFailed, sqlState: "42P01", detail: "relation \"Session\" does not exist"))), 500,
                #"{"success":false,"error":"Internal Server Error"}"#
            ),
            (.failed(.schema("column \"expires\" of table \"Session\" does not exist")), 500, #"{"success":false,"error":"Internal Server Error"}"#),
        ]
        for (outcome, status, body) in cases {
            let response = APIResponse.response(for: outcome)
            #expect(response.status == status)
            #expect(String(decoding: response.body, as: UTF8.self) == body)
        }
    }

    @Test("health answers 200 ok or 503 unavailable with no other detail")
    func health() {
        let up = APIResponse.response(for: .health(databaseReachable: true))
        #expect(up.status == 200)
        #expect(String(decoding: up.body, as: UTF8.self) == #"{"status":"ok"}"#)
        let down = APIResponse.response(for: .health(databaseReachable: false))
        #expect(down.status == 503)
        #expect(String(decoding: down.body, as: UTF8.self) == #"{"status":"unavailable"}"#)
        #expect(down.header("Cache-Control") == "no-store")
    }

    @Test("metrics are sent as Prometheus text")
    func metricsText() {
        let response = APIResponse.response(for: .metrics(Array("# HELP x\n".utf8)))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(response.body == Array("# HELP x\n".utf8))
    }

    @Test("every response is JSON and not cacheable; 401 and 405 add their headers")
    func headers() {
        let outcomes: [EndpointAnswer] = [
            .unauthorized, .notFound, .methodNotAllowed(allowed: ["GET", "POST"]),
            .sessionStats(SessionStats(active: 0, expired: 0, timestamp: time)), .failed(.alreadyRunning(.cleanupAuth)),
        ]
        for outcome in outcomes {
            let response = APIResponse.response(for: outcome)
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.header("Cache-Control") == "no-store")
        }
        #expect(APIResponse.response(for: .unauthorized).header("WWW-Authenticate") == "Bearer")
        #expect(APIResponse.response(for: .notFound).header("WWW-Authenticate") == nil)
        #expect(APIResponse.response(for: .methodNotAllowed(allowed: ["GET", "POST"])).header("Allow") == "GET, POST")
    }

    @Test("the CGI response carries the status line, headers and a Content-Length")
    func serialization() {
        let response = APIResponse.response(for: .notFound)
        let text = String(decoding: response.serialized, as: UTF8.self)
        #expect(text.hasPrefix("Status: 404 Not Found\r\n"))
        #expect(text.contains("Content-Length: 21\r\n\r\n{\"error\":\"Not Found\"}"))
    }
}
