import AuthSweep
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Log lines for journald when stderr is the journal's stream: each line
/// starts with its sd-daemon priority (`<3>` error ... `<7>` debug), so
/// `journalctl -p warning` filters them, and carries no timestamp of its
/// own (journald stamps every line).
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Whether stderr is the stream systemd named in `JOURNAL_STREAM`
    /// (`device:inode`); a process started from a unit but writing
    /// elsewhere keeps the plain format.
    static func standardErrorIsJournal(in environment: Environment = .current()) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        var info = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    func log(event: LogEvent) {
        let level = event.level
        let message = event.message
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One line each: a line end inside a message or a field (CR, LF,
        // CRLF, NEL, U+2028 alike) would start a new journal entry.
        let text = "<\(Self.priority(level))>" + LogText.escaped("\(message)\(fields.isEmpty ? "" : " " + fields)") + "\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
    }
}
