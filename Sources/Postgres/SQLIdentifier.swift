/// A table or column name as `PQescapeIdentifier` quoted it. Nothing else
/// can make one, so a name interpolated into an `SQLQuery` is always quoted.
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The name as configured, unquoted (for messages).
    public let name: String
    /// The name quoted, as SQL text (for messages that show SQL to run, and
    /// for binding as a value to `to_regclass` and the like).
    public let quoted: String

    init(name: String, quoted: String) {
        self.name = name
        self.quoted = quoted
    }

    public var description: String { quoted }

    /// `schema.table`, each quoted on its own.
    public static func qualified(schema: SQLIdentifier, table: SQLIdentifier) -> SQLIdentifier {
        SQLIdentifier(name: "\(schema.name).\(table.name)", quoted: "\(schema.quoted).\(table.quoted)")
    }
}
