/// One SQL statement and the values bound to it, built by string
/// interpolation (postgres-nio's `PostgresQuery` is the model):
///
/// - an interpolated value (`\(userID)`, `\(limit)`) becomes a bound
///   parameter, its `$n` numbered when the statement is sent;
/// - an identifier goes in only as an `SQLIdentifier`, which only libpq's
///   `PQescapeIdentifier` makes (`PGConnection.identifier(_:)`);
/// - another `SQLQuery` goes in as a fragment, its values with it;
/// - anything else is raw text only through the `unsafeSQL:` spellings,
///   which read as what they are.
///
/// So no statement numbers a placeholder by hand, and no value can become
/// SQL text.
public struct SQLQuery: Sendable, Equatable, ExpressibleByStringInterpolation {
    fileprivate enum Part: Sendable, Equatable {
        case text(String)
        case value(String?)
    }

    fileprivate var parts: [Part]

    /// SQL written in the source: a literal cannot carry a value.
    public init(stringLiteral text: String) {
        parts = [.text(text)]
    }

    public init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    /// Trusted SQL text that is not a literal in the source: never build it
    /// from a value.
    public init(unsafeSQL text: String) {
        parts = [.text(text)]
    }

    /// The statement as libpq takes it: the text with `$1`, `$2`, ... in
    /// the order of the values.
    public var rendered: (text: String, values: [String?]) {
        var text = ""
        var values: [String?] = []
        for part in parts {
            switch part {
            case .text(let sql):
                text += sql
            case .value(let value):
                values.append(value)
                text += "$\(values.count)"
            }
        }
        return (text, values)
    }

    /// `fragments` one after the other, `separator` between them.
    public static func joined(_ fragments: [SQLQuery], separator: StaticString) -> SQLQuery {
        var query = SQLQuery(stringLiteral: "")
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { query.parts.append(.text("\(separator)")) }
            query.parts += fragment.parts
        }
        return query
    }

    /// Builds a statement; see `SQLQuery`.
    public struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            parts.reserveCapacity(2 * interpolationCount + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            parts.append(.text(literal))
        }

        /// A value, bound as a parameter.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            parts.append(.value(value.sqlParameter))
        }

        /// A value or NULL, bound as a parameter.
        public mutating func appendInterpolation(_ value: (some SQLBindable)?) {
            parts.append(.value(value?.sqlParameter))
        }

        /// A quoted identifier.
        public mutating func appendInterpolation(_ identifier: SQLIdentifier) {
            parts.append(.text(identifier.quoted))
        }

        /// A fragment, with its values.
        public mutating func appendInterpolation(_ fragment: SQLQuery) {
            parts += fragment.parts
        }

        /// Trusted SQL text: never a value.
        public mutating func appendInterpolation(unsafeSQL text: String) {
            parts.append(.text(text))
        }
    }
}
