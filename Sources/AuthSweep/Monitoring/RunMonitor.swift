/// Told about every cleanup run that holds its lease (never a dry run, never
/// one refused because another runs), for a dead-man's-switch service. A
/// monitor never changes a run's result: it has no way to fail one.
public protocol RunMonitor: Sendable {
    func runStarted(_ kind: CleanupKind, runID: String)
    func runSucceeded(_ kind: CleanupKind, runID: String, outcome: CleanupRunOutcome)
    func runFailed(_ kind: CleanupKind, runID: String, error: JobError)
}
