/// Told of a cleanup's runs: the dead-man pings, the worker's metrics. An
/// observer never changes a run's result: it has no way to fail one. Each
/// method does nothing unless an observer says otherwise.
public protocol RunObserver: Sendable {
    /// A run holds its lease and begins (never a dry run).
    func runStarted(_ kind: CleanupKind, runID: String)
    /// A run that held its lease succeeded, with what it produced.
    func runSucceeded(_ kind: CleanupKind, runID: String, outcome: CleanupOutcome)
    /// A run failed: inside its lease (`runID` its holder) or before it
    /// (a fresh id); never one refused because another runs, never a dry run.
    func runFailed(_ kind: CleanupKind, runID: String, error: JobError)
    /// Any run but a dry one ended, however it ended, refused ones too:
    /// what counting needs.
    func runEnded(_ kind: CleanupKind, result: RunRecordResult, deleted: Int, duration: Duration)
}

extension RunObserver {
    public func runStarted(_ kind: CleanupKind, runID: String) {}
    public func runSucceeded(_ kind: CleanupKind, runID: String, outcome: CleanupOutcome) {}
    public func runFailed(_ kind: CleanupKind, runID: String, error: JobError) {}
    public func runEnded(_ kind: CleanupKind, result: RunRecordResult, deleted: Int, duration: Duration) {}
}
