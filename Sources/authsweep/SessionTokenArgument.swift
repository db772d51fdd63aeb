import AuthSweep

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A session token given on the command line, or `-` to read it from
/// standard input: a token is a credential, and an argument is visible to
/// every local user in `ps` and stays in the shell's history.
enum SessionTokenArgument {
    static let help = "The session token, or - to read it from standard input (kept out of ps and the shell history)."

    /// The token itself: the argument, or the one line on standard input.
    static func resolve(_ argument: String, option: String) throws -> String {
        guard argument == "-" else { return argument }
        let bytes = readTokenFromStandardInput()
        guard !bytes.isEmpty, !bytes.contains(UInt8(ascii: "\n")), bytes.count <= 64 * 1024 else {
            throw fail("\(option) is -: standard input must hold the token on one line (e.g. authsweep sessions revoke - < token-file)", code: ExitStatus.usage)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Standard input up to 64 KiB and a byte more (so that more is seen), with
/// one final line end dropped, as from a secret file.
func readTokenFromStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while bytes.count <= 64 * 1024 {
        let count = read(0, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return CronSecrets.withoutFinalLineEnd(bytes)
}
