import ArgumentParser
import AuthSweep

@main
struct AuthSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authsweep",
        abstract: "Keeps authentication and session tables clean: a FastCGI worker behind nginx, and the same jobs from the command line.",
        discussion: ExitStatus.helpText,
        version: BuildInfo.version,
        subcommands: [
            ServeCommand.self,
            CleanupAuthCommand.self,
            CleanupSessionsCommand.self,
            CleanupAllCommand.self,
            StatsCommand.self,
            StatusCommand.self,
            SecretCommand.self,
            SessionsCommand.self,
            UsersCommand.self,
            CheckCommand.self,
            ConfigCommand.self,
            ManualCommand.self,
        ]
    )
}
