public import AuthSweep
public import FastCGI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a worker serves with: the `serve.*` settings, with the command
/// line's `--listen` and `--threads` over them, as the FastCGI server takes
/// them.
public struct ServingConfiguration: Sendable {
    /// `unix:/path.sock` or `HOST:PORT`; none: the listening socket handed
    /// over (systemd's LISTEN_FDS, else fd 0).
    public let addresses: [String]
    public let threads: Int
    public let socketMode: UInt32
    public let socketGroup: String?
    /// Neither a mode nor a group was set: the socket is the worker user's alone.
    public let socketIsPrivate: Bool
    public let readTimeoutSeconds: Int
    /// The limits of a request and of the worker's unfinished requests.
    public let limits: FastCGILimits

    public init(_ settings: ServeSettings, listen: [String] = [], threads: Int? = nil) {
        addresses = listen.isEmpty ? settings.listen : listen
        self.threads = threads ?? settings.threads ?? Self.defaultThreadCount()
        socketMode = settings.effectiveSocketMode
        socketGroup = settings.socketGroup
        socketIsPrivate = settings.socketMode == nil && settings.socketGroup == nil
        readTimeoutSeconds = settings.readTimeoutSeconds
        limits = FastCGILimits(
            parameterBytes: settings.maxParameterBytes, parameterCount: settings.maxParameters, unfinishedBytes: settings.maxUnfinishedBytes)
    }

    /// Responders mostly wait on PostgreSQL, so two per core, within 2 to 16.
    public static func defaultThreadCount() -> Int {
        min(16, max(2, 2 * Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    }
}
