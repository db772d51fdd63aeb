/// The table of the cleanups' leases and run records, one row per job:
/// written by `CleanupLease`, read by `CleanupStatus`.
enum RunRecordTable {
    static let name = "authsweep_jobs"
}
