import Postgres
import Testing

@Suite("SQLSTATE codes and what they mean to a caller")
struct SQLStateTests {
    @Test(
        "a failed statement's code gives its kind",
        arguments: [
            ("57014", PostgresError.Kind.timedOut),  // statement_timeout
            ("55P03", .timedOut),  // lock_timeout, NOWAIT
            ("08006", .connectionLost),  // connection_failure
            ("08P01", .connectionLost),  // protocol_violation
            ("57P01", .connectionLost),  // admin_shutdown
            ("57P02", .connectionLost),  // crash_shutdown
            ("57P03", .connectionLost),  // cannot_connect_now
            ("42P01", .queryFailed),  // undefined_table
            ("42501", .queryFailed),  // insufficient_privilege
            ("P0001", .queryFailed),  // raise_exception
            ("57P04", .queryFailed),  // database_dropped: not a lost connection
        ])
    func kinds(code: String, kind: PostgresError.Kind) {
        #expect(PostgresError.Kind(failedStatement: SQLState(rawValue: code)) == kind)
    }

    @Test("no code at all is a failed query")
    func noCode() {
        #expect(PostgresError.Kind(failedStatement: nil) == .queryFailed)
    }

    @Test("the named codes are PostgreSQL's, and a code reads as its five characters")
    func namedCodes() {
        #expect(SQLState.undefinedTable.rawValue == "42P01")
        #expect(SQLState.lockNotAvailable.rawValue == "55P03")
        #expect(SQLState.queryCanceled.rawValue == "57014")
        #expect(SQLState("08006").errorClass == "08")
        #expect("\(SQLState.undefinedTable)" == "42P01")
        let error = PostgresError(kind: .queryFailed, sqlState: .undefinedTable, detail: "relation does not exist")
        #expect(error.description == "database query failed (SQLSTATE 42P01)")
    }
}
