/// Text for a log line that nobody else can end or extend: every control
/// character (C0, DEL, C1) and the Unicode line and paragraph separators
/// become `\u{XX}` escapes, one Unicode scalar at a time (a `Character`
/// would see `"\r\n"` as one and let it through). A peer's path or address
/// then cannot start a journal entry of its own or forge a priority.
public enum LogText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: true
        default: false
        }
    }
}
