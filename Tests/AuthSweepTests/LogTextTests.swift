import Testing

@testable import AuthSweep

@Suite("text for a log line")
struct LogTextTests {
    @Test("control characters and line separators are escaped one Unicode scalar at a time; other text is left as it is")
    func escaping() {
        #expect(LogText.escaped("/api/cron/x\r\n<2>forged") == "/api/cron/x\\u{D}\\u{A}<2>forged", "CRLF is one Character but two scalars")
        #expect(LogText.escaped("a\u{85}b\u{2028}c\u{2029}d\u{7F}e\u{0}") == "a\\u{85}b\\u{2028}c\\u{2029}d\\u{7F}e\\u{0}")
        #expect(LogText.escaped("tab\there") == "tab\\u{9}here")
        #expect(LogText.escaped("/api/cron/cleanup-auth") == "/api/cron/cleanup-auth")
        #expect(LogText.escaped("Grüße, 東京 🎉") == "Grüße, 東京 🎉")
    }
}
