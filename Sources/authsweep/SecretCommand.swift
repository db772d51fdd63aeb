import ArgumentParser
import AuthSweep

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct SecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Work with secrets without showing them.",
        subcommands: [Fingerprint.self]
    )

    struct Fingerprint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a token on standard input and print its length and a short SHA-256 fingerprint.",
            discussion: """
                Compare the line with what authsweep check prints for each configured secret: \
                the same fingerprint is the same secret, and neither is shown. One final line end \
                is dropped, as from a secret file. Example: authsweep secret fingerprint < token-file

                """
                    + ExitStatus.help([0, ExitStatus.usage], own: [0: "printed", ExitStatus.usage: "standard input is empty"])
        )

        func run() throws {
            let bytes = readTokenFromStandardInput()
            guard !bytes.isEmpty else {
                throw fail("standard input is empty: give the token on it (authsweep secret fingerprint < token-file)", code: ExitStatus.usage)
            }
            print(SHA256.fingerprint(bytes))
        }
    }
}
