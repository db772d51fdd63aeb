/// The `serve.*` settings as the file and the environment give them. The
/// worker makes its listeners, responders and FastCGI limits of them
/// (CronAPI's `ServingConfiguration`); `check` reads the socket paths.
public struct ServeSettings: Sendable, Equatable {
    /// Responder threads; `nil` derives them from the core count.
    public var threads: Int?
    public var listen: [String] = []
    /// Mode of a unix socket `serve` creates; `nil` derives it (see `effectiveSocketMode`).
    public var socketMode: UInt32?
    public var socketGroup: String?
    public var readTimeoutSeconds = 10
    /// Most bytes of FastCGI parameters in one request (nginx sends at most about 33 KiB).
    public var maxParameterBytes = 128 * 1024
    /// Most FastCGI parameters in one request (nginx sends about 20 plus one per header).
    public var maxParameters = 1_000
    /// Most bytes the unfinished requests of all web-server connections may
    /// hold together; the connection limit follows (one per 16 KiB).
    public var maxUnfinishedBytes = 64 * 1024 * 1024

    /// 0660 when a socket group is set, so only that group (nginx's) can
    /// connect; without a group, 0600: only the worker's own user, never
    /// every local user (`serve` says how to let nginx in).
    public var effectiveSocketMode: UInt32 {
        socketMode ?? (socketGroup == nil ? 0o600 : 0o660)
    }
}
