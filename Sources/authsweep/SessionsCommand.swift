import ArgumentParser
import AuthSweep

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "Look at and end users' sessions (in the session table session.preset names).",
        subcommands: [List.self, Revoke.self, Invalidate.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a user's active sessions, newest expiry first (tokens only as their first 8 characters).",
            discussion: ExitStatus.help([0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable])
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
        static let configuration = CommandConfiguration(
            abstract: "Delete the session with this token.",
            discussion: ExitStatus.help([0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable]))

        @Argument(help: ArgumentHelp(SessionTokenArgument.help, valueName: "session-token")) var sessionToken: String
        @OptionGroup var common: CommonOptions

        func run() throws {
            let token = try SessionTokenArgument.resolve(sessionToken, option: "the session token")
            try runAdmin(common) { administration, database throws(JobError) in
                let revoked = try administration.revokeSession(token: token, on: database)
                // Django's and Rails' sessions record no user, nor do Laravel's guests.
                print(revoked.userID.isEmpty ? "Revoked session \(revoked.sessionID)." : "Revoked session \(revoked.sessionID) of user \(revoked.userID).")
            }
        }
    }

    struct Invalidate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete all of a user's sessions, except the one given with --except.",
            discussion: ExitStatus.help([0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable])
        )

        @Argument(help: "The user's id.") var userID: String
        @Option(
            name: .long,
            help: ArgumentHelp(
                "Keep the session with this token; - reads it from standard input (kept out of ps and the shell history).", valueName: "SESSION_TOKEN"))
        var except: String?
        @OptionGroup var common: CommonOptions

        func run() throws {
            let kept = try except.map { token in try SessionTokenArgument.resolve(token, option: "--except") }
            try runAdmin(common) { administration, database throws(JobError) in
                let deleted = try administration.invalidateSessions(ofUser: userID, exceptToken: kept, on: database)
                print("Invalidated \(deleted) session(s) of user \(userID).")
            }
        }
    }
}
