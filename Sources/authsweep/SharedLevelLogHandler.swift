import Locking
import Logging

/// The level of every logger made with it, changed in one place: serve's
/// reload sets it, and each responder thread's copy of the logger follows.
final class LogLevelControl: Sendable {
    private let level: Locked<Logger.Level>

    init(_ level: Logger.Level) {
        self.level = Locked(level)
    }

    var current: Logger.Level {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }
}

/// A handler that writes through `wrapped` at the level `control` holds.
/// (A handler is a value: each copy of a logger has its own, so a level
/// kept in the handler itself could not be changed for all of them.)
struct SharedLevelLogHandler: LogHandler {
    let control: LogLevelControl
    var wrapped: any LogHandler

    init(control: LogLevelControl, wrapping handler: any LogHandler) {
        self.control = control
        var handler = handler
        // The level is checked here; the handler below writes whatever comes.
        handler.logLevel = .trace
        wrapped = handler
    }

    var logLevel: Logger.Level {
        get { control.current }
        set { control.current = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        wrapped.log(event: event)
    }
}
