import ArgumentParser
import AuthSweep

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Look at and end users' sessions (the NextAuth \"Session\" table).",
        subcommands: [List.self, Revoke.self, Invalidate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a user's active sessions, newest expiry first (tokens only as their first 8 characters).",
            discussion: ExitStatus.helpText
        )

        @Argument(help: "The user's id.") var userID: String
        @Flag(name: .long, help: "Print a JSON array of {\"id\",\"expires\"} objects.") var json = false
        @OptionGroup var common: CommonOptions

        func run() throws {
            try runAdmin(common) { administration, database throws(JobError) in
                let sessions = try administration.activeSessions(ofUser: userID, on: database)
                if json {
                    print(JSONValue.array(sessions.map { .object([("id", .string($0.id)), ("expires", .string($0.expires))]) }).serialized)
                } else if sessions.isEmpty {
                    print("User \(userID) has no active sessions.")
                } else {
                    for session in sessions {
                        print("\(session.id)\texpires \(session.expires)\ttoken \(session.tokenPrefix)…")
                    }
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the session with this token.", discussion: ExitStatus.helpText)

        @Argument(help: "The session token.") var sessionToken: String
        @OptionGroup var common: CommonOptions

        func run() throws {
            try runAdmin(common) { administration, database throws(JobError) in
                let revoked = try administration.revokeSession(token: sessionToken, on: database)
                print("Revoked session \(revoked.sessionID) of user \(revoked.userID).")
            }
        }
    }

    struct Invalidate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete all of a user's sessions, except the one given with --except.",
            discussion: ExitStatus.helpText
        )

        @Argument(help: "The user's id.") var userID: String
        @Option(name: .long, help: ArgumentHelp("Keep the session with this token.", valueName: "SESSION_TOKEN")) var except: String?
        @OptionGroup var common: CommonOptions

        func run() throws {
            try runAdmin(common) { administration, database throws(JobError) in
                let deleted = try administration.invalidateSessions(ofUser: userID, exceptToken: except, on: database)
                print("Invalidated \(deleted) session(s) of user \(userID).")
            }
        }
    }
}

struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Change users (the NextAuth \"User\" table).",
        subcommands: [SetRole.self, Update.self]
    )

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Set a user's role.", discussion: ExitStatus.helpText)

        @Argument(help: "The user's id.") var userID: String
        @Argument(help: "The new role, for example ADMIN or USER.") var role: String
        @OptionGroup var common: CommonOptions

        func run() throws {
            try runAdmin(common) { administration, database throws(JobError) in
                let previous = try administration.setRole(ofUser: userID, to: role, on: database)
                print("User \(userID): role \(previous ?? "(none)") -> \(role).")
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a user's name and/or email.", discussion: ExitStatus.helpText)

        @Argument(help: "The user's id.") var userID: String
        @Option(name: .long, help: "The new name.") var name: String?
        @Option(name: .long, help: "The new email.") var email: String?
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if name == nil && email == nil { throw ValidationError("give --name and/or --email") }
        }

        func run() throws {
            try runAdmin(common) { administration, database throws(JobError) in
                let changed = try administration.updateUser(userID, name: name, email: email, on: database)
                print("User \(userID): updated \(changed.map(\.field).joined(separator: " and ")).")
            }
        }
    }
}

/// Loads the configuration and runs one administration command.
private func runAdmin(_ common: CommonOptions, _ body: (SessionAdministration, DatabaseSession) throws(JobError) -> Void) throws {
    try runCommand {
        let configuration = try common.loadConfiguration()
        let administration = SessionAdministration(configuration: configuration, logger: common.makeLogger(configuration, defaultLevel: .critical))
        try body(administration, DatabaseSession(settings: DatabaseSettings(configuration: configuration)))
    }
}
