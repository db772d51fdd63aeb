#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A snapshot of the process environment, passed around as a value so that
/// tests can give their own.
public struct Environment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The environment of this process.
    public static func current() -> Environment {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return Environment(variables)
    }

    public subscript(_ name: String) -> String? {
        variables[name]
    }
}

/// Reads a whole (small) file; used for secrets and the config file.
enum FileReader {
    static func read(_ path: String) throws(ConfigurationError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw ConfigurationError("cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count > 0 { contents.append(contentsOf: buffer[0..<count]) }
            if count < buffer.count { break }
            if contents.count > 1 << 20 {
                throw ConfigurationError("'\(path)' is larger than 1 MiB")
            }
        }
        if ferror(file) != 0 {
            throw ConfigurationError("cannot read '\(path)'")
        }
        return contents
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
