import AuthSweep
import Foundation

extension ManualPage {
    /// authsweep.conf(5): every key from `ConfigurationReference.entries`,
    /// the table the code parses, as `config --reference` and
    /// docs/configuration.md give it.
    static func configurationPage(date: String) -> String {
        var lines = [
            ".Dd \(mdocDate(date) ?? date)",
            ".Dt AUTHSWEEP.CONF 5",
            ".Os",
            ".Sh NAME",
            ".Nm authsweep.conf",
            ".Nd settings of the authsweep cleanups and workers",
            ".Sh DESCRIPTION",
            text("Every key is optional: its default is what the HTTP endpoints promise, so no file is needed."),
            text(
                "The file holds `key = value` lines, with optional `[section]` headers (`[session]` then `table = AppSession` sets `session.table`) and `#` comments."
            ),
            text("Each key can also be set by its environment variable (`AUTHSWEEP_` and the key in capitals, `_` for `.`), which wins over the file."),
            text("A bad file or value stops the program with one message naming the file, line and key."),
            text("A running worker reads the file again on `systemctl reload authsweep@N` (SIGHUP); only `serve.*` takes effect at the next restart."),
            ".Pp",
            text("The connection and the secrets are not keys: they come from the environment (see ENVIRONMENT)."),
            ".Sh KEYS",
            ".Bl -tag -width Ds",
        ]
        for entry in ConfigurationReference.entries {
            lines += [
                ".It Cm \(entry.key)",
                text("Environment: `\(entry.environmentName)`. Default: \(entry.defaultValue.isEmpty ? "none" : "`\(entry.defaultValue)`")."),
                ".br",
                // The docs/ pages a meaning points to are installed under /usr/share/doc/authsweep.
                text(entry.meaning.replacingOccurrences(of: "docs/", with: "/usr/share/doc/authsweep/docs/") + "."),
            ]
        }
        lines.append(".El")
        lines += section("ENVIRONMENT", items: (ManualContent.configurationVariables + ManualContent.secretVariables).map { (".It Ev \($0.name)", $0.meaning) })
        lines += section("FILES", items: ManualContent.configurationFiles.map { (".It Pa \($0.path)", $0.meaning) })
        lines += [
            ".Sh EXAMPLES",
            text("Larger batches, and Better Auth's session table:"),
            ".Bd -literal -offset indent",
            "cleanup.batch_size = 20000",
            "[session]",
            "preset = better-auth",
            ".Ed",
            text("The same from the environment, as a systemd drop-in or the environment file would set it:"),
            ".Bd -literal -offset indent",
            "AUTHSWEEP_CLEANUP_BATCH_SIZE=20000",
            "AUTHSWEEP_SESSION_PRESET=better-auth",
            ".Ed",
            text("What is in effect, and every key with its default:"),
            ".Bd -literal -offset indent",
            "sudo -u authsweep authsweep config",
            "authsweep config --reference",
            ".Ed",
            ".Sh \"SEE ALSO\"",
            ".Xr authsweep 1 ,",
            ".Xr authsweep.config 1 ,",
            ".Xr authsweep.check 1",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
