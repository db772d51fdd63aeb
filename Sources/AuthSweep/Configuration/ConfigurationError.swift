/// A configuration problem found at start-up: always names the key, the
/// variable or the file at fault, never a secret's value.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
