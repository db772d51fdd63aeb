/// How a cleanup shares the database with the application (`cleanup.pace`).
public enum CleanupPace: String, Sendable, CaseIterable {
    /// Batches back to back, each statement up to 40 ms: the shortest run.
    case fast
    /// Shorter statements, each followed by a pause sized by what the run
    /// measures between batches: the application's backends at work or
    /// waiting, and its own statements' slowdown against their best time.
    /// Slower, and the application's requests barely notice it.
    case gentle
}
