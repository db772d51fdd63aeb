import Postgres

/// Inserts rows into the Prisma-style `"AuditLog"` table.
struct AuditLogWriter {
    let store: CleanupStore
    let tables: TableNames

    /// One audit row with a client-generated UUID (Prisma makes ids on the
    /// client) and a UTC `createdAt`, whatever the session's TimeZone.
    func record(action: String, userID: String?, details: JSONValue) throws(JobError) {
        let catalog = store.catalog
        let now = try catalog.currentTime(table: tables.auditLog, column: tables.auditLogCreatedAt)
        let columns = try [tables.auditLogID, tables.auditLogUserID, tables.auditLogAction, tables.auditLogDetails, tables.auditLogCreatedAt]
            .map { name throws(JobError) in try catalog.quote(name) }
            .joined(separator: ", ")
        try store.run(
            "INSERT INTO \(try catalog.quote(tables.auditLog)) (\(columns)) VALUES ($1, $2, $3, $4, \(now))",
            [UUIDString.random(), userID, action, details.serialized]
        )
    }
}
