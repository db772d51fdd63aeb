import ArgumentParser
import AuthSweep

struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Change users (the NextAuth \"User\" table).",
        subcommands: [SetRole.self, Update.self]
    )

    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-role", abstract: "Set a user's role.",
            discussion: ExitStatus.help([0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable]))

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
        static let configuration = CommandConfiguration(
            abstract: "Change a user's name and/or email.",
            discussion: ExitStatus.help([0, ExitStatus.jobFailed, ExitStatus.usage, ExitStatus.databaseUnavailable]))

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
