import Postgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The unix sockets `serve` would create: their directories writable.
extension InstallationCheck {
    func socketFindings() -> [Finding] {
        configuration.serve.listen.filter { $0.hasPrefix("unix:") }.map { spec in
            let path = String(spec.dropFirst(5))
            let directory = path.lastIndex(of: "/").map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            if access(directory, W_OK) == 0 {
                return Finding(ok: true, message: "the socket directory \(directory) is writable", fix: nil)
            }
            return Finding(
                ok: false, message: "the socket directory \(directory) is not writable by this user",
                fix: "create it and give it to the service user (systemd: RuntimeDirectory=)")
        }
    }
}
