import Testing

@testable import AuthSweep

@Suite("Timestamps as toISOString() prints them")
struct TimestampTests {
    @Test(
        "UTC with exactly three fraction digits",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000Z"),
            (Int64(1_766_916_000_000), "2025-12-28T10:00:00.000Z"),
            (Int64(1_766_916_000_007), "2025-12-28T10:00:00.007Z"),
            (Int64(1_766_916_000_070), "2025-12-28T10:00:00.070Z"),
            (Int64(1_766_916_059_999), "2025-12-28T10:00:59.999Z"),
            (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
            (Int64(-1), "1969-12-31T23:59:59.999Z"),
        ])
    func format(milliseconds: Int64, expected: String) {
        #expect(Timestamp(millisecondsSinceEpoch: milliseconds).iso8601 == expected)
    }

    @Test("now() has the toISOString shape and a plausible value")
    func nowShape() throws {
        let text = Timestamp.now().iso8601
        #expect(try #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#.wholeMatch(in: text) != nil)
        #expect(text > "2025-01-01")
    }
}

@Suite("JSON text")
struct JSONValueTests {
    @Test("strings are escaped and keys keep their order")
    func escaping() {
        let value = JSONValue.object([("b", .string("q\"uote\\back\nline\u{1}")), ("a", .array([.integer(-3), .bool(false), .null]))])
        #expect(value.serialized == #"{"b":"q\"uote\\back\nline\u0001","a":[-3,false,null]}"#)
    }
}

@Suite("UUIDs for audit rows")
struct UUIDStringTests {
    @Test("random version-4 UUIDs in lower-case text form, all different")
    func shape() throws {
        let ids = (0..<100).map { _ in UUIDString.random() }
        for id in ids {
            #expect(try #/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/#.wholeMatch(in: id) != nil)
        }
        #expect(Set(ids).count == ids.count)
    }
}
