/// What one cleanup job is: its lock, the tables it deletes from and the
/// condition for each, and whether its runs go into the audit log. The jobs
/// only declare this; `CleanupRun` does the rest.
struct CleanupPlan {
    let kind: CleanupKind
    /// The targets in the order they are cleaned, each with its part in the job.
    let targets: (SchemaCatalog) throws(JobError) -> [(target: DeletionTarget, name: CleanupTarget)]
    /// Whether each run is recorded in `"AuditLog"` (`SESSION_CLEANUP`, or
    /// `SESSION_CLEANUP_ERROR` when it fails), asked once per run.
    let audited: (SchemaCatalog) throws(JobError) -> Bool
}
