#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The variables of a systemd `EnvironmentFile` (`authsweep.env`), so that a
/// command typed by an operator sees the database and settings the service
/// sees. The syntax is the part of systemd's that the shipped file uses:
/// `NAME=value` lines (ended by LF, CRLF or CR), blank lines, `#` and `;` comments, values optionally
/// in single quotes (taken as they are) or double quotes (`\"`, `\\`, `\$`
/// and `` \` `` escaped). A line that is none of these is an error that names
/// the file and line, never the line's text (it may hold a password).
public struct EnvironmentFile: Sendable {
    /// Where the packaged service keeps its environment.
    public static let defaultPath = "/etc/authsweep/authsweep.env"

    public let path: String
    /// In the file's order; a name given twice keeps its last value, as in systemd.
    public let variables: [(name: String, value: String)]

    public init(path: String, text: String) throws(ConfigurationError) {
        self.path = path
        var variables: [(name: String, value: String)] = []
        for (offset, rawLine) in text.lines.enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let place = "\(path), line \(offset + 1)"
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(place): expected NAME=value")
            }
            let name = String(line[..<equals]).trimmingWhitespace()
            guard Self.isVariableName(name) else {
                throw ConfigurationError("\(place): not a variable name before '='")
            }
            let value = try Self.unquoted(String(line[line.index(after: equals)...]).trimmingWhitespace(), place: place)
            variables.removeAll { $0.name == name }
            variables.append((name, value))
        }
        self.variables = variables
    }

    /// Reads and parses the file at `path`.
    public static func read(_ path: String) throws(ConfigurationError) -> EnvironmentFile {
        try EnvironmentFile(path: path, text: String(decoding: try FileReader.read(path), as: UTF8.self))
    }

    /// The file `--env-file` or `AUTHSWEEP_ENV_FILE` names, else the default
    /// path if it exists; `nil` when none applies (an empty
    /// `AUTHSWEEP_ENV_FILE` means none). A file that exists but cannot be
    /// read is an error that says what to do.
    public static func load(explicitPath: String?, environment: Environment) throws(ConfigurationError) -> EnvironmentFile? {
        let named = explicitPath ?? environment["AUTHSWEEP_ENV_FILE"]
        if let named {
            return named.isEmpty ? nil : try read(named)
        }
        guard FileReader.exists(defaultPath) else { return nil }
        do {
            return try read(defaultPath)
        } catch {
            throw ConfigurationError(
                "\(error.message). It is the service's environment (the database, the settings): run the command as root or as a user allowed to read it, or name another file with --env-file PATH (--env-file '' reads none)"
            )
        }
    }

    /// Sets every variable of the file that the process environment does not
    /// have yet; a variable already set, even to "", wins. Call it before
    /// any thread starts (setenv is not thread-safe) and before libpq reads
    /// its PG* variables.
    public func applyToProcessEnvironment() {
        for (name, value) in variables {
            setenv(name, value, 0)
        }
    }

    /// A letter or `_`, then letters, digits and `_`, all ASCII.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    private static func unquoted(_ value: String, place: String) throws(ConfigurationError) -> String {
        guard let quote = value.first, quote == "'" || quote == "\"" else { return value }
        guard value.count >= 2, value.last == quote else {
            throw ConfigurationError("\(place): a quoted value must end with its quote on the same line")
        }
        let inner = value.dropFirst().dropLast()
        if quote == "'" { return String(inner) }
        var result = ""
        var escaped = false
        for character in inner {
            if escaped {
                if !"\"\\$`".contains(character) { result.append("\\") }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }
}
