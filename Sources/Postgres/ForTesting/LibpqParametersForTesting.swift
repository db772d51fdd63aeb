internal import CLibPQ

// Test-only API: what libpq reads from a connection string, and what a
// connection was opened with, for the tests of the connection settings.

extension ConnectionString {
    /// The parameters a connection string or URI sets, in libpq's order;
    /// nil when libpq cannot parse it (its message is not kept: it may
    /// quote the string, password included).
    @_spi(ForTesting) public static func parameters(_ text: String) -> [(keyword: String, value: String)]? {
        guard let options = PQconninfoParse(text, nil) else { return nil }
        defer { PQconninfoFree(options) }
        var parameters: [(keyword: String, value: String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                parameters.append((String(cString: keyword), String(cString: value)))
            }
            option += 1
        }
        return parameters
    }
}

extension PGConnection {
    /// The value this connection was opened with for a libpq keyword
    /// (`PQconninfo`), nil when it has none.
    @_spi(ForTesting) public func parameter(_ keyword: String) -> String? {
        guard let options = PQconninfo(handle) else { return nil }
        defer { PQconninfoFree(options) }
        var option = options
        while let name = option.pointee.keyword {
            if String(cString: name) == keyword { return option.pointee.val.map { String(cString: $0) } }
            option += 1
        }
        return nil
    }
}
