import Fixtures
import Foundation
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
        #expect(ColumnClock.utcWallClock.now.rendered.text == "(SELECT (now()) AT TIME ZONE 'UTC')")
        #expect(ColumnClock.utcWallClock.secondsAgoForPlanning(0).rendered.text == "((now()) AT TIME ZONE 'UTC')")
        let expires = SQLIdentifier(name: "expires", quoted: "expires")
        #expect(ColumnClock.isoText(ColumnClock.zoned.instant(expires)).rendered.text.hasPrefix("to_char(expires AT TIME ZONE 'UTC', "))
        #expect(
            ColumnClock.isoText(ColumnClock.utcWallClock.instant(expires)).rendered.text.hasPrefix("to_char((expires AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', "))
        #expect(ColumnClock.isoText(ColumnClock.unixSeconds.instant(expires)).rendered.text.hasPrefix("to_char(to_timestamp(expires) AT TIME ZONE 'UTC', "))
        let twoHoursBack = ColumnClock.unixSeconds.secondsAgo(7200).rendered
        #expect(twoHoursBack.text.hasSuffix(" - $1::bigint)") && twoHoursBack.values == ["7200"])
    }

    @Test("a local-time column moves the moment in absolute time first, then takes the zone's wall time: never a fixed offset")
    func localWallClock() {
        let clock = ColumnClock.wallClock(zone: "America/New_York")
        let boundary = clock.secondsAgo(3600).rendered
        #expect(boundary.text == "(SELECT (now() - make_interval(secs => $1::double precision)) AT TIME ZONE $2::text)")
        #expect(boundary.values == ["3600", "America/New_York"])
        #expect(ColumnClock(sqlType: "timestamp(3) without time zone", wallClockZone: "Europe/Berlin") == .wallClock(zone: "Europe/Berlin"))
        #expect(ColumnClock(sqlType: "timestamp with time zone", wallClockZone: "Europe/Berlin") == .zoned, "a timestamptz column fixes its moment itself")
        #expect(clock.words == "timestamp without time zone, holding the wall time of America/New_York")
    }

    @Test("a zone is an IANA name this host knows, never an offset or a path", arguments: ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
    func knownZones(name: String) {
        #expect(TimeZoneName.isKnown(name, in: "/usr/share/zoneinfo"))
    }

    @Test(
        "names that are no zone are refused",
        arguments: ["", "Mars/Olympus", "+02:00", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "America", "Europe/../UTC"])
    func unknownZones(name: String) {
        #expect(!TimeZoneName.isKnown(name, in: "/usr/share/zoneinfo"))
    }

    @Test("zone names are checked against TZDIR from the environment the configuration is given, else the system's database")
    func zoneDirectoryFromEnvironment() throws {
        let scratch = try ScratchDirectory("tzdir")
        let directory = scratch.path
        try FileManager.default.createDirectory(atPath: directory + "/Mars", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: directory + "/Mars/Olympus", contents: Data("TZif".utf8))
        let mars = try Configuration.load(
            path: "/dev/null", environment: Environment(["TZDIR": directory, "AUTHSWEEP_SESSION_COLUMN_TIME_ZONE": "Mars/Olympus"]))
        #expect(mars.sessionColumnTimeZone == "Mars/Olympus")
        #expect(throws: ConfigurationError.self) {
            try Configuration.load(path: "/dev/null", environment: Environment(["TZDIR": directory, "AUTHSWEEP_SESSION_COLUMN_TIME_ZONE": "Europe/Berlin"]))
        }
        let system = try Configuration.load(path: "/dev/null", environment: Environment(["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE": "Europe/Berlin"]))
        #expect(system.zoneDirectory == "/usr/share/zoneinfo" && system.sessionColumnTimeZone == "Europe/Berlin")
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
