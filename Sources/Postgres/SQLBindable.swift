/// A Swift value that binds as a text parameter.
public protocol SQLBindable {
    /// The parameter's text, as PostgreSQL reads it for the parameter's type.
    var sqlParameter: String { get }
}

extension String: SQLBindable {
    public var sqlParameter: String { self }
}

extension Substring: SQLBindable {
    public var sqlParameter: String { String(self) }
}

extension Int: SQLBindable {
    public var sqlParameter: String { String(self) }
}

extension Int32: SQLBindable {
    public var sqlParameter: String { String(self) }
}

extension Int64: SQLBindable {
    public var sqlParameter: String { String(self) }
}

extension Double: SQLBindable {
    public var sqlParameter: String { String(self) }
}

extension Bool: SQLBindable {
    public var sqlParameter: String { self ? "true" : "false" }
}
