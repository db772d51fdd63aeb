#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failure of the FastCGI layer: sockets, threads and libfcgi itself.
public struct FastCGIError: Error, CustomStringConvertible, Sendable {
    /// What was being done.
    public let operation: String
    /// `errno` (or libfcgi's negated code), when there is one.
    public let code: Int32
    /// Where it happened, for the log.
    public let location: String

    public init(operation: String, code: Int32, location: String = #function) {
        self.operation = operation
        self.code = code
        self.location = location
    }

    public var description: String {
        code == 0 ? operation : "\(operation): \(String(cString: strerror(code)))"
    }
}

/// Runs a C call that returns -1 and sets `errno` on failure, retrying on
/// EINTR, and turns the failure into a `FastCGIError`.
@discardableResult
func systemCall(
    _ operation: @autoclosure () -> String,
    location: String = #function,
    _ body: () -> Int32
) throws(FastCGIError) -> Int32 {
    while true {
        let result = body()
        if result != -1 { return result }
        // Read once: building the message below may change errno.
        let code = errno
        if code == EINTR { continue }
        throw FastCGIError(operation: operation(), code: code, location: location)
    }
}
