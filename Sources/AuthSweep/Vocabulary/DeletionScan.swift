/// How a cleanup walks a table to delete its removable rows.
public enum DeletionScan: String, Sendable, CaseIterable {
    /// From PostgreSQL's estimates for one bare `DELETE`: a sweep when it
    /// would read the whole table or the rows to delete are a large part of
    /// it, index batches otherwise.
    case automatic = "auto"
    /// Batches of up to `cleanup.batch_size` rows found through an index.
    case index
    /// The table read once in page ranges, each holding about
    /// `cleanup.batch_size` removable rows.
    case sweep
}
