import ArgumentParser
import AuthSweep

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// With `--json`, a failure also prints the endpoint's failure body on
/// stdout, so a script reads the same JSON from either.
func withJSONFailure(json: Bool, _ body: () throws(JobError) -> Void) throws(JobError) {
    do {
        try body()
    } catch {
        if json { print(error.json.serialized) }
        throw error
    }
}

func describe(_ stats: SessionStats) -> String {
    "total \(stats.total), active \(stats.active), expired \(stats.expired) (at \(stats.timestamp.iso8601))"
}
