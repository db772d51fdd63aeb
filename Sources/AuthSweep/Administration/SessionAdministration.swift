import Logging
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

    /// The user's sessions with `expires > now`, newest expiry first.
    public func activeSessions(ofUser userID: String, on database: DatabaseSession) throws(JobError) -> [SessionSummary] {
        try database.withStore { store throws(JobError) in
            try requireUser(userID, store: store)
            let catalog = store.catalog
            let clock = try catalog.clock(table: tables.session, column: tables.sessionExpires)
            let expires = try catalog.quote(tables.sessionExpires)
            let result = try store.run(
                """
                SELECT \(try catalog.quote(tables.sessionID)), \(clock.isoText(expires)), left(\(try catalog.quote(tables.sessionToken)), 8)
                FROM \(try catalog.quote(tables.session))
                WHERE \(try catalog.quote(tables.sessionUserID)) = \(userID) AND \(expires) > \(clock.now)
                ORDER BY \(expires) DESC
                """
            )
            return result.rows.map { SessionSummary(id: $0[0] ?? "", expires: $0[1] ?? "", tokenPrefix: $0[2] ?? "") }
        }
    }

    /// Deletes the session with this token.
    /// - Returns: the session's id and its user's id.
    @discardableResult
    public func revokeSession(token: String, on database: DatabaseSession) throws(JobError) -> (sessionID: String, userID: String) {
        try database.withStore { store throws(JobError) in
            let catalog = store.catalog
            return try store.inTransaction { () throws(JobError) in
                let result = try store.run(
                    """
                    DELETE FROM \(try catalog.quote(tables.session)) WHERE \(try catalog.quote(tables.sessionToken)) = \(token)
                    RETURNING \(try catalog.quote(tables.sessionID)), \(try catalog.quote(tables.sessionUserID))
                    """
                )
                guard let sessionID = result.value(row: 0, column: 0), let userID = result.value(row: 0, column: 1) else {
                    throw .notFound("no session has that token")
                }
                try AuditLogWriter(store: store, tables: tables).record(
                    action: "SESSION_REVOKE", userID: userID, details: .object([("sessionId", .string(sessionID))])
                )
                return (sessionID, userID)
            }
        }
    }

    /// Deletes all of the user's sessions but the one with `exceptToken`.
    /// - Returns: how many sessions were deleted.
    public func invalidateSessions(ofUser userID: String, exceptToken: String?, on database: DatabaseSession) throws(JobError) -> Int {
        try database.withStore { store throws(JobError) in
            let catalog = store.catalog
            let session = try catalog.quote(tables.session)
            let tokenColumn = try catalog.quote(tables.sessionToken)
            let userColumn = try catalog.quote(tables.sessionUserID)
            return try store.inTransaction { () throws(JobError) in
                try requireUser(userID, store: store)
                var keptSessionID: String?
                if let exceptToken {
                    let kept = try store.run(
                        "SELECT \(try catalog.quote(tables.sessionID)) FROM \(session) WHERE \(tokenColumn) = \(exceptToken) AND \(userColumn) = \(userID)"
                    )
                    guard let id = kept.value() else {
                        throw .notFound("the session given with --except does not exist or belongs to another user")
                    }
                    keptSessionID = id
                }
                let deleted = try store.run(
                    "DELETE FROM \(session) WHERE \(userColumn) = \(userID) AND (\(exceptToken)::text IS NULL OR \(tokenColumn) <> \(exceptToken))"
                ).affectedRows
                var details: [(key: String, value: JSONValue)] = [("deletedCount", .integer(deleted))]
                if let keptSessionID { details.append(("keptSessionId", .string(keptSessionID))) }
                try AuditLogWriter(store: store, tables: tables).record(action: "SESSIONS_INVALIDATE", userID: userID, details: .object(details))
                return deleted
            }
        }
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
        try database.withStore { store throws(JobError) in
            let catalog = store.catalog
            let user = try catalog.quote(tables.user)
            let idColumn = try catalog.quote(tables.userID)
            let columns = try fields.map { field throws(JobError) in try catalog.quote(field.column) }
            return try store.inTransaction { () throws(JobError) in
                let selected = SQLQuery.joined(columns.map { "\($0)" }, separator: ", ")
                let before = try store.run("SELECT \(selected) FROM \(user) WHERE \(idColumn) = \(userID) FOR UPDATE")
                guard let oldValues = before.rows.first else { throw .notFound("no user has id '\(userID)'") }
                let assignments = SQLQuery.joined(zip(columns, fields).map { "\($0) = \($1.value)" }, separator: ", ")
                try store.run("UPDATE \(user) SET \(assignments) WHERE \(idColumn) = \(userID)")
                let details = JSONValue.object(
                    fields.enumerated().map { index, field in
                        (field.field, .object([("from", oldValues[index].map(JSONValue.string) ?? .null), ("to", .string(field.value))]))
                    })
                try AuditLogWriter(store: store, tables: tables).record(action: action, userID: userID, details: details)
                logger.info("user updated", metadata: ["admin.action": "\(action)", "admin.user_id": "\(userID)"])
                return fields.enumerated().map { ($0.element.field, oldValues[$0.offset]) }
            }
        }
    }

    private func requireUser(_ userID: String, store: CleanupStore) throws(JobError) {
        let catalog = store.catalog
        let found = try store.run("SELECT 1 FROM \(try catalog.quote(tables.user)) WHERE \(try catalog.quote(tables.userID)) = \(userID)")
        guard !found.rows.isEmpty else { throw .notFound("no user has id '\(userID)'") }
    }
}
