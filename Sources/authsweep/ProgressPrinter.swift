import ArgumentParser
import AuthSweep
import Locking

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Progress of a long cleanup: rewritten in place on a terminal, a line at
/// most every second otherwise.
final class ProgressPrinter: Sendable {
    private let onTerminal = isatty(1) == 1
    private let lastPrinted = Locked<ContinuousClock.Instant?>(nil)

    func report(table: String, deleted: Int) {
        let due = lastPrinted.withLock { last -> Bool in
            if let last, last.duration(to: .now) < (onTerminal ? .milliseconds(100) : .seconds(1)) { return false }
            last = .now
            return true
        }
        guard due else { return }
        if onTerminal {
            print("\r\(table): \(deleted) row(s) deleted", terminator: "")
            fflush(nil)
        } else {
            print("\(table): \(deleted) row(s) deleted so far")
        }
    }
}
