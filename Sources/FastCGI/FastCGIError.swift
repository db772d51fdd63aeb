#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failure of the FastCGI layer: sockets, threads and libfcgi itself.
public enum FastCGIError: Error, CustomStringConvertible, Sendable {
    /// A system call failed: what was being done, its `errno`, and where.
    case system(operation: String, code: Int32, location: String)
    /// A listen address, socket path, socket group or web-server address
    /// list that cannot be used; the text says which and why.
    case unusableAddress(String)
    /// Limits this host or these settings cannot serve.
    case unusableLimits(String)
    /// libfcgi could not start.
    case library(String)

    public var description: String {
        switch self {
        case .system(let operation, let code, _): "\(operation): \(String(cString: strerror(code)))"
        case .unusableAddress(let message), .unusableLimits(let message), .library(let message): message
        }
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
        throw .system(operation: operation(), code: code, location: location)
    }
}
