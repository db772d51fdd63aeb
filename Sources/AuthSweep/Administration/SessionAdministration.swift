public import Logging
import Postgres

/// Session and user administration on the NextAuth tables. Every change is
/// one transaction that also inserts its `"AuditLog"` row.
public struct SessionAdministration: Sendable {
    public let configuration: Configuration
    public let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    private var tables: TableNames { configuration.tables }

    /// The user's active sessions (by the preset's rule), newest expiry
    /// first; a last-activity session expires a lifetime after it.
    public func activeSessions(ofUser userID: String, on database: DatabaseSession) throws(JobError) -> [SessionSummary] {
        try database.withRunner { runner throws(JobError) in
            let userColumn = try sessionUserColumn(for: "sessions list")
            try requireUser(userID, runner: runner)
            let catalog = runner.catalog
            let rule = try SessionRule(configuration: configuration, catalog: catalog)
            let result = try runner.run(
                """
                SELECT \(try sessionName(catalog)), \(ColumnClock.isoText(rule.expiry)), left(\(try catalog.quote(tables.sessionToken))::text, 8)
                FROM \(rule.table)
                WHERE \(try catalog.quote(userColumn))::text = \(userID) AND \(rule.active)
                ORDER BY \(rule.expiry) DESC
                """
            )
            return result.rows.map { SessionSummary(id: $0[0] ?? "", expires: $0[1] ?? "", tokenPrefix: $0[2] ?? "") }
        }
    }

    /// Deletes the session with this token.
    /// - Returns: the session's id and its user's id (empty where the table records no user).
    @discardableResult
    public func revokeSession(token: String, on database: DatabaseSession) throws(JobError) -> (sessionID: String, userID: String) {
        try database.withRunner { runner throws(JobError) in
            let catalog = runner.catalog
            let user: SQLQuery = try tables.sessionUserID.map { name throws(JobError) -> SQLQuery in "\(try catalog.quote(name))::text" } ?? "NULL::text"
            return try runner.inTransaction { () throws(JobError) in
                let result = try runner.run(
                    """
                    DELETE FROM \(try catalog.quote(tables.session)) WHERE \(try catalog.quote(tables.sessionToken))::text = \(token)
                    RETURNING \(try sessionName(catalog)), \(user)
                    """
                )
                guard result.rows.count == 1, let sessionID = result.value(row: 0, column: 0) else {
                    throw .notFound("no session has that token")
                }
                let userID = result.value(row: 0, column: 1)
                try audit(runner, action: "SESSION_REVOKE", userID: userID, details: .object([("sessionId", .string(sessionID))]))
                return (sessionID, userID ?? "")
            }
        }
    }

    /// Deletes all of the user's sessions but the one with `exceptToken`.
    /// - Returns: how many sessions were deleted.
    public func invalidateSessions(ofUser userID: String, exceptToken: String?, on database: DatabaseSession) throws(JobError) -> Int {
        try database.withRunner { runner throws(JobError) in
            let catalog = runner.catalog
            let session = try catalog.quote(tables.session)
            let tokenColumn = try catalog.quote(tables.sessionToken)
            let userColumn = try catalog.quote(try sessionUserColumn(for: "sessions invalidate"))
            return try runner.inTransaction { () throws(JobError) in
                try requireUser(userID, runner: runner)
                var keptSessionID: String?
                if let exceptToken {
                    let kept = try runner.run(
                        """
                        SELECT \(try sessionName(catalog)) FROM \(session)
                        WHERE \(tokenColumn)::text = \(exceptToken) AND \(userColumn)::text = \(userID)
                        """
                    )
                    guard let id = kept.value() else {
                        throw .notFound("the session given with --except does not exist or belongs to another user")
                    }
                    keptSessionID = id
                }
                let deleted = try runner.run(
                    """
                    DELETE FROM \(session)
                    WHERE \(userColumn)::text = \(userID) AND (\(exceptToken)::text IS NULL OR \(tokenColumn)::text <> \(exceptToken))
                    """
                ).affectedRows
                var details: [(key: String, value: JSONValue)] = [("deletedCount", .integer(deleted))]
                if let keptSessionID { details.append(("keptSessionId", .string(keptSessionID))) }
                try audit(runner, action: "SESSIONS_INVALIDATE", userID: userID, details: .object(details))
                return deleted
            }
        }
    }

    /// What names a session in output and audit rows: its id; where the id
    /// is the token itself (Auth.js with Drizzle, Django, Laravel, Lucia,
    /// and the Auth.js Prisma adapter's current schema, which has no id
    /// column), only the token's first 8 characters, as for tokens
    /// everywhere: a token is a credential.
    private func sessionName(_ catalog: SchemaCatalog) throws(JobError) -> SQLQuery {
        let hasID = try catalog.columnType(table: tables.session, column: tables.sessionID) != nil
        guard hasID, tables.sessionID != tables.sessionToken else {
            return "left(\(try catalog.quote(tables.sessionToken))::text, 8) || '…'"
        }
        return "\(try catalog.quote(tables.sessionID))::text"
    }

    /// The session table's user column; a preset whose table records no
    /// user (Django, Rails) cannot list or invalidate a user's sessions.
    private func sessionUserColumn(for command: String) throws(JobError) -> String {
        guard let column = tables.sessionUserID else {
            throw .invalidArgument(
                "\(command) needs the session table's user column, and \(configuration.sessionPreset.framework)'s \(tables.session) has none (session.user_id); sessions revoke works by token"
            )
        }
        return column
    }

    /// The audit row of an administration command, where the audit table
    /// exists (the contract's schema has it; Auth.js's own has not).
    private func audit(_ runner: TransactionRunner, action: String, userID: String?, details: JSONValue) throws(JobError) {
        guard try runner.catalog.tableExists(tables.auditLog) else { return }
        try AuditLogWriter(runner: runner, tables: tables).record(action: action, userID: userID, details: details)
    }

    /// Sets the user's role.
    /// - Returns: the role before the change.
    @discardableResult
    public func setRole(ofUser userID: String, to role: String, on database: DatabaseSession) throws(JobError) -> String? {
        guard !role.isEmpty else { throw .invalidArgument("the role must not be empty") }
        let changes = try updateUser(userID, fields: [(tables.userRole, "role", role)], action: "USER_ROLE_UPDATE", on: database)
        return changes.first?.from
    }

    /// Changes the user's name and/or email.
    /// - Returns: the fields changed, with their old values.
    @discardableResult
    public func updateUser(_ userID: String, name: String?, email: String?, on database: DatabaseSession) throws(JobError) -> [(field: String, from: String?)] {
        var fields: [(column: String, field: String, value: String)] = []
        if let name { fields.append((tables.userName, "name", name)) }
        if let email { fields.append((tables.userEmail, "email", email)) }
        guard !fields.isEmpty else { throw .invalidArgument("nothing to change: give --name and/or --email") }
        return try updateUser(userID, fields: fields, action: "USER_UPDATE", on: database)
    }

    private func updateUser(
        _ userID: String,
        fields: [(column: String, field: String, value: String)],
        action: String,
        on database: DatabaseSession
    ) throws(JobError) -> [(field: String, from: String?)] {
        try database.withRunner { runner throws(JobError) in
            let catalog = runner.catalog
            guard try catalog.tableExists(tables.user) else {
                throw .schema("table \"\(tables.user)\" does not exist: set user.table to the application's users table")
            }
            // Auth.js's own "User" has no role: only this command needs one.
            for field in fields where try catalog.columnType(table: tables.user, column: field.column) == nil {
                throw .schema(
                    "column \"\(field.column)\" of table \"\(tables.user)\" does not exist, and the \(field.field) is kept there: add the column to the application's schema, or name the one it uses with user.\(field.field)"
                )
            }
            let user = try catalog.quote(tables.user)
            let idColumn = try catalog.quote(tables.userID)
            let columns = try fields.map { field throws(JobError) in try catalog.quote(field.column) }
            return try runner.inTransaction { () throws(JobError) in
                let selected = SQLQuery.joined(columns.map { "\($0)" }, separator: ", ")
                let before = try runner.run("SELECT \(selected) FROM \(user) WHERE \(idColumn) = \(userID) FOR UPDATE")
                guard let oldValues = before.rows.first else { throw .notFound("no user has id '\(userID)'") }
                let assignments = SQLQuery.joined(zip(columns, fields).map { "\($0) = \($1.value)" }, separator: ", ")
                try runner.run("UPDATE \(user) SET \(assignments) WHERE \(idColumn) = \(userID)")
                let details = JSONValue.object(
                    fields.enumerated().map { index, field in
                        (field.field, .object([("from", oldValues[index].map(JSONValue.string) ?? .null), ("to", .string(field.value))]))
                    })
                try audit(runner, action: action, userID: userID, details: details)
                logger.info("user updated", metadata: ["admin.action": "\(action)", "admin.user_id": "\(userID)"])
                return fields.enumerated().map { ($0.element.field, oldValues[$0.offset]) }
            }
        }
    }

    /// The user must exist, where the user table does: the other presets'
    /// user tables have names of the application's choosing.
    private func requireUser(_ userID: String, runner: TransactionRunner) throws(JobError) {
        let catalog = runner.catalog
        guard try catalog.tableExists(tables.user) else { return }
        let found = try runner.run("SELECT 1 FROM \(try catalog.quote(tables.user)) WHERE \(try catalog.quote(tables.userID))::text = \(userID)")
        guard !found.rows.isEmpty else { throw .notFound("no user has id '\(userID)'") }
    }
}
