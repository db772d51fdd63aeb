import Testing

@testable import AuthSweep
@testable import Postgres

@Suite("the clock of a timestamp column")
struct ColumnClockTests {
    @Test(
        "the column's type decides the clock; a type that is not a timestamp has none",
        arguments: [
            ("timestamp with time zone", ColumnClock.zoned),
            ("timestamp(3) with time zone", .zoned),
            ("timestamp without time zone", .utcWallClock),
            ("timestamp(3) without time zone", .utcWallClock),
        ])
    func fromType(type: String, clock: ColumnClock) {
        #expect(ColumnClock(sqlType: type) == clock)
    }

    @Test("dates, text and intervals are not timestamps", arguments: ["date", "text", "interval", "time with time zone", "integer"])
    func notTimestamps(type: String) {
        #expect(ColumnClock(sqlType: type) == nil)
    }

    @Test("a UTC wall clock column is compared with now() at UTC, a zoned one with now(), once per statement")
    func now() {
        #expect(ColumnClock.zoned.now.rendered.text == "(SELECT now())")
        #expect(ColumnClock.utcWallClock.now.rendered.text == "(SELECT now() AT TIME ZONE 'UTC')")
        #expect(ColumnClock.utcWallClock.nowForPlanning.rendered.text == "(now() AT TIME ZONE 'UTC')")
        let expires = SQLIdentifier(name: "expires", quoted: "expires")
        #expect(ColumnClock.zoned.isoText("\(expires)").rendered.text.hasPrefix("to_char(expires AT TIME ZONE 'UTC', "))
        #expect(ColumnClock.utcWallClock.isoText("\(expires)").rendered.text.hasPrefix("to_char(expires, "))
        #expect(ColumnClock.unixSeconds.isoText("\(expires)").rendered.text.hasPrefix("to_char(to_timestamp(expires) AT TIME ZONE 'UTC', "))
        let twoHoursBack = ColumnClock.unixSeconds.before(ColumnClock.unixSeconds.now, seconds: 7200).rendered
        #expect(twoHoursBack.text.hasSuffix(" - $1::bigint)") && twoHoursBack.values == ["7200"])
        #expect(ColumnClock.zoned.before("now()", seconds: 0).rendered.text == "now()")
    }

    @Test("a session table's rule column may hold Unix seconds; other columns must be timestamps")
    func unixSeconds() {
        #expect(ColumnClock(ruleColumnType: "integer") == .unixSeconds)
        #expect(ColumnClock(ruleColumnType: "bigint") == .unixSeconds)
        #expect(ColumnClock(ruleColumnType: "timestamp(6) without time zone") == .utcWallClock)
        #expect(ColumnClock(ruleColumnType: "text") == nil)
        #expect(ColumnClock(sqlType: "integer") == nil)
    }
}
