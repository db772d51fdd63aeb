/// How a cleanup should run.
public struct CleanupOptions: Sendable {
    /// Count only; delete nothing and write no audit row.
    public var dryRun = false
    /// Stop between batches once this much time has passed; `nil` for no limit.
    public var timeBudget: Duration?
    /// Called after every batch with the table and the rows deleted from it so far.
    public var progress: (@Sendable (String, Int) -> Void)?

    public init(dryRun: Bool = false, timeBudget: Duration? = nil, progress: (@Sendable (String, Int) -> Void)? = nil) {
        self.dryRun = dryRun
        self.timeBudget = timeBudget
        self.progress = progress
    }
}
