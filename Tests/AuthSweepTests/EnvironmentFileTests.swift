import Testing

@testable import AuthSweep

@Suite("environment files as systemd reads them")
struct EnvironmentFileTests {
    @Test("NAME=value lines, comments, blank lines, quotes and escapes; a name given twice keeps its last value")
    func parse() throws {
        let file = try EnvironmentFile(
            path: "t.env",
            text: """
                # the database
                DATABASE_URL=postgresql://authsweep@localhost/app?sslmode=prefer
                ; another comment

                  AUTHSWEEP_CLEANUP_BATCH_SIZE = 2000
                PGPASSFILE='/etc/authsweep/pg pass'
                QUOTED="a \\"b\\" \\\\ \\$HOME \\n"
                EMPTY=
                AUTHSWEEP_CLEANUP_BATCH_SIZE=3000
                """)
        #expect(file.variables.map(\.name) == ["DATABASE_URL", "PGPASSFILE", "QUOTED", "EMPTY", "AUTHSWEEP_CLEANUP_BATCH_SIZE"])
        let values = Dictionary(uniqueKeysWithValues: file.variables.map { ($0.name, $0.value) })
        #expect(values["DATABASE_URL"] == "postgresql://authsweep@localhost/app?sslmode=prefer")
        #expect(values["PGPASSFILE"] == "/etc/authsweep/pg pass")
        #expect(values["QUOTED"] == #"a "b" \ $HOME \n"#)
        #expect(values["EMPTY"] == "")
        #expect(values["AUTHSWEEP_CLEANUP_BATCH_SIZE"] == "3000")
    }

    @Test("LF, CRLF and CR end a line alike, and an error names the line as a text editor counts it, never its text", arguments: ["\n", "\r\n", "\r"])
    func lineEnds(end: String) throws {
        let text =
            ["# comment", "DATABASE_URL=postgresql://authsweep@db/app", "", "CRON_SECRET_FILE='/etc/authsweep/cron secret'", "A=b"].joined(separator: end) + end
        let file = try EnvironmentFile(path: "t.env", text: text)
        let values = Dictionary(uniqueKeysWithValues: file.variables.map { ($0.name, $0.value) })
        #expect(values == ["DATABASE_URL": "postgresql://authsweep@db/app", "CRON_SECRET_FILE": "/etc/authsweep/cron secret", "A": "b"])
        let broken = ["A=b", "", "hunter2-is-no-line"].joined(separator: end)
        let error = #expect(throws: ConfigurationError.self) { try EnvironmentFile(path: "t.env", text: broken) }
        #expect(error?.message == "t.env, line 3: expected NAME=value", "\(String(describing: error))")
    }

    @Test(
        "a malformed line is an error naming the file and line, never its text",
        arguments: ["password s3cret-value", "1BAD=s3cret-value", "URL='s3cret-value", "s3cret-value"])
    func malformed(line: String) {
        #expect {
            _ = try EnvironmentFile(path: "/etc/authsweep/authsweep.env", text: "# first\n" + line + "\n")
        } throws: { error in
            let message = (error as? ConfigurationError)?.message ?? ""
            return message.hasPrefix("/etc/authsweep/authsweep.env, line 2: ") && !message.contains("s3cret")
        }
    }

    @Test("an explicit empty name reads no file; a file that cannot be read is an error that says what to do")
    func load() throws {
        #expect(try EnvironmentFile.load(explicitPath: "", environment: Environment([:])) == nil)
        #expect(try EnvironmentFile.load(explicitPath: nil, environment: Environment(["AUTHSWEEP_ENV_FILE": ""])) == nil)
        #expect(throws: ConfigurationError.self) {
            _ = try EnvironmentFile.load(explicitPath: "/nonexistent/authsweep.env", environment: Environment([:]))
        }
    }
}
