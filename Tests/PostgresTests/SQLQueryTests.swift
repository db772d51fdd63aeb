import Testing

@testable import Postgres

@Suite("SQL built as one typed value")
struct SQLQueryTests {
    let table = SQLIdentifier(name: "Session", quoted: "\"Session\"")

    @Test("interpolated values become parameters, numbered in order")
    func valuesAreParameters() {
        let userID = "u1'; DROP TABLE \"Session\"; --"
        let limit = 500
        let query: SQLQuery = "SELECT id FROM \(table) WHERE \"userId\" = \(userID) LIMIT \(limit)::int"
        #expect(query.rendered.text == #"SELECT id FROM "Session" WHERE "userId" = $1 LIMIT $2::int"#)
        #expect(query.rendered.values == [userID, "500"])
    }

    @Test("a fragment keeps its values and is numbered where it lands, each time it is used")
    func fragments() {
        let retention = 86_400
        let condition: SQLQuery = "expires < now() - make_interval(secs => \(retention)::double precision)"
        let query: SQLQuery = "SELECT \(1) FROM \(table) WHERE \(condition) AND id <> \("x") AND \(condition)"
        #expect(
            query.rendered.text
                == #"SELECT $1 FROM "Session" WHERE expires < now() - make_interval(secs => $2::double precision) AND id <> $3 AND expires < now() - make_interval(secs => $4::double precision)"#
        )
        #expect(query.rendered.values == ["1", "86400", "x", "86400"])
    }

    @Test("nil binds NULL; booleans and doubles bind as PostgreSQL reads them")
    func nullsAndTypes() {
        let missing: String? = nil
        let query: SQLQuery = "SELECT \(missing)::text IS NULL, \(true), \(1.5)"
        #expect(query.rendered.text == "SELECT $1::text IS NULL, $2, $3")
        #expect(query.rendered.values == [nil, "true", "1.5"])
    }

    @Test("a literal and unsafe text carry no parameters; joined fragments keep theirs in order")
    func literalsAndJoins() {
        #expect(SQLQuery("SELECT 1").rendered.values.isEmpty)
        #expect(SQLQuery(unsafeSQL: "BEGIN").rendered.text == "BEGIN")
        let columns = [SQLIdentifier(name: "name", quoted: "name"), SQLIdentifier(name: "email", quoted: "email")]
        let assignments = SQLQuery.joined(zip(columns, ["Ann", "a@x"]).map { "\($0) = \($1)" }, separator: ", ")
        let update: SQLQuery = "UPDATE \(table) SET \(assignments) WHERE id = \("u1")"
        #expect(update.rendered.text == #"UPDATE "Session" SET name = $1, email = $2 WHERE id = $3"#)
        #expect(update.rendered.values == ["Ann", "a@x", "u1"])
        #expect(SQLQuery.joined([], separator: ", ").rendered.text == "")
    }
}
