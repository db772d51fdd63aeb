import Postgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The secrets: set and usable, and their files readable by this user only.
extension InstallationCheck {
    /// No secret at all is a warning: the command line's cleanups need
    /// none, and the worker refuses to start without one, saying so. A
    /// secret that is set but unusable is a problem.
    func secretFinding() -> Finding {
        if ["CRON_SECRET", "CRON_SECRET_FILE"].allSatisfy({ (environment[$0] ?? "").isEmpty }) {
            return Finding(
                level: .warning,
                message: "no secret configured: the command line's cleanups need none, but the worker (authsweep serve) refuses to start without one",
                fix: "set CRON_SECRET or CRON_SECRET_FILE before starting the worker")
        }
        do {
            let secrets = try CronSecrets.load(from: environment)
            // Length and a short fingerprint: comparable with `authsweep secret
            // fingerprint` on a caller's copy, without showing either.
            var described = ["CRON_SECRET \(SHA256.fingerprint(secrets.current))"]
            if let previous = secrets.previous { described.append("CRON_SECRET_PREVIOUS \(SHA256.fingerprint(previous))") }
            if let token = secrets.metricsToken { described.append("METRICS_TOKEN \(SHA256.fingerprint(token))") }
            return Finding(ok: true, message: "the secrets are set and usable: \(described.joined(separator: "; "))", fix: nil)
        } catch {
            return Finding(ok: false, message: error.message, fix: nil)
        }
    }

    /// A secret file others can read lets them start cleanups (or, for the
    /// metrics token, read the metrics); one they can write lets them lock
    /// the schedulers out. Read access for the file's group is fine when
    /// that group is this user's own (the package's root:authsweep 0640,
    /// checked as authsweep): nobody else is in it.
    func secretFileFindings() -> [Finding] {
        CronSecrets.files(in: environment).compactMap { variable, path in
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }  // unreadable: reported with the secret
            let mode = info.st_mode & 0o777
            let groupIsOurs = info.st_gid == getgid()
            guard mode & 0o026 != 0 || (mode & 0o040 != 0 && !groupIsOurs) else { return nil }
            let who = mode & 0o006 != 0 ? "every local user" : "its group"
            return Finding(
                level: .warning, message: "\(variable) \(path) can be read or written by \(who) (mode 0\(String(mode, radix: 8)))",
                fix: "chmod 600 \(path), or chmod 640 with the service's own group (chgrp authsweep \(path))")
        }
    }
}
