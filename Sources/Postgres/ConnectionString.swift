internal import CLibPQ

/// A connection string as libpq itself reads it (`PQconninfoParse`).
public enum ConnectionString {
    /// Every keyword this libpq knows (`PQconndefaults`).
    public static let keywords: Set<String> = {
        guard let options = PQconndefaults() else { return [] }
        defer { PQconninfoFree(options) }
        var keywords: Set<String> = []
        var option = options
        while let keyword = option.pointee.keyword {
            keywords.insert(String(cString: keyword))
            option += 1
        }
        return keywords
    }()

    /// Whether libpq can parse the string (its message is not kept, as above).
    public static func isParsable(_ text: String) -> Bool {
        guard let options = PQconninfoParse(text, nil) else { return false }
        PQconninfoFree(options)
        return true
    }

    /// The same parameters written back in key=value form, every password
    /// (and anything libpq marks as secret, "*" in its `dispchar`) as `****`.
    public static func masked(_ text: String) -> String? {
        guard let options = PQconninfoParse(text, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var words: [String] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                let secret = option.pointee.dispchar.map { String(cString: $0) == "*" } ?? false
                words.append(String(cString: keyword) + "=" + (secret ? "****" : quoted(String(cString: value))))
            }
            option += 1
        }
        return words.joined(separator: " ")
    }

    /// A value in libpq's key=value syntax: single quotes when it is empty or
    /// has a space, quote or backslash, which are then escaped.
    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" }) else { return value }
        return "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
