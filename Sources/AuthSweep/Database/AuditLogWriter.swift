import Postgres

/// Inserts rows into the Prisma-style `"AuditLog"` table.
struct AuditLogWriter {
    let runner: TransactionRunner
    let tables: TableNames

    /// One audit row with a client-generated UUID (Prisma makes ids on the
    /// client) and a UTC `createdAt`, whatever the session's TimeZone.
    func record(action: String, userID: String?, details: JSONValue) throws(JobError) {
        let catalog = runner.catalog
        let now = try catalog.clock(table: tables.auditLog, column: tables.auditLogCreatedAt).now
        let columns = try [tables.auditLogID, tables.auditLogUserID, tables.auditLogAction, tables.auditLogDetails, tables.auditLogCreatedAt]
            .map { name throws(JobError) -> SQLQuery in "\(try catalog.quote(name))" }
        try runner.run(
            """
            INSERT INTO \(try catalog.quote(tables.auditLog)) (\(SQLQuery.joined(columns, separator: ", ")))
            VALUES (\(UUIDString.random()), \(userID), \(action), \(details.serialized), \(now))
            """
        )
    }
}
