/// What a cleanup does with the partitions of a partitioned table that lie
/// wholly before its cutoff (`cleanup.partitions`).
public enum CleanupPartitions: String, Sendable, CaseIterable {
    /// Each such partition is dropped whole, its rows counted first: one
    /// short statement however many rows it holds. Where the role may not
    /// (it must own them), rows are deleted one batch at a time instead.
    case drop
    /// Each is detached (concurrently where PostgreSQL allows) and left as
    /// a table of its own for the operator to archive or drop.
    case detach
    /// Rows are deleted batch by batch, partitions or not.
    case rows
}
