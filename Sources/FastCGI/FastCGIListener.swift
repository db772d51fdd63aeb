#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A listening socket the responders accept web-server connections on.
///
/// Sockets this process created are closed (and a unix socket file is
/// removed) when the listener is released; an inherited socket is left
/// as the parent handed it over.
public final class FastCGIListener: Sendable {
    /// The listening file descriptor.
    public let descriptor: Int32
    /// A printable address, for logs.
    public let address: String
    private let ownedPath: String?
    private let owned: Bool

    private init(descriptor: Int32, address: String, ownedPath: String?, owned: Bool) {
        self.descriptor = descriptor
        self.address = address
        self.ownedPath = ownedPath
        self.owned = owned
    }

    deinit {
        guard owned else { return }
        close(descriptor)
        if let ownedPath { unlink(ownedPath) }
    }

    /// Whether this is a TCP socket bound to an address other hosts can
    /// reach (not 127.0.0.0/8 or ::1).
    public var isTCPBeyondLoopback: Bool {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard status == 0 else { return false }
        switch Int32(address.ss_family) {
        case AF_INET:
            let first = withUnsafeBytes(of: &address) { $0.load(fromByteOffset: MemoryLayout<sockaddr_in>.offset(of: \.sin_addr)!, as: UInt8.self) }
            return first != 127
        case AF_INET6:
            let bytes = withUnsafeBytes(of: &address) { raw in
                Array(raw[MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)!..<MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr)! + 16])
            }
            let loopback = bytes == [UInt8](repeating: 0, count: 15) + [1]
            let mappedLoopback = bytes.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) && bytes[12] == 127
            return !loopback && !mappedLoopback
        default:
            return false
        }
    }

    /// Parses `unix:/path` or `HOST:PORT` (`[v6]:PORT` for IPv6) and opens it.
    public static func open(_ spec: String, socketMode: UInt32, socketGroup: String? = nil, backlog: Int32 = 1024) throws(FastCGIError) -> FastCGIListener {
        if spec.hasPrefix("unix:") {
            return try unix(path: String(spec.dropFirst(5)), mode: socketMode, group: socketGroup, backlog: backlog)
        }
        guard let colon = spec.lastIndex(of: ":") else {
            throw .unusableAddress("listen address '\(spec)' is neither unix:/path nor HOST:PORT")
        }
        var host = String(spec[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = UInt16(spec[spec.index(after: colon)...]), port > 0 else {
            throw .unusableAddress("listen address '\(spec)' has no valid port")
        }
        return try tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port, backlog: backlog)
    }

    /// A unix-domain socket at `path` with file mode `mode` and, optionally, group `group`.
    public static func unix(path: String, mode: UInt32, group: String?, backlog: Int32) throws(FastCGIError) -> FastCGIListener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard !pathBytes.isEmpty, pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .unusableAddress("unix socket path '\(path)' is empty or too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        try removeStaleSocket(at: path, address: address)
        let descriptor = try systemCall("socket(AF_UNIX)") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do throws(FastCGIError) {
            // Mode and group are set before listen(): until then a connect
            // is refused whatever the file's permissions, so the socket is
            // never reachable with wider ones. (Not through the umask, which
            // is the whole process's: a thread creating a file meanwhile
            // would get this socket's mode.)
            try systemCall("bind(\(path))") {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            }
            try systemCall("chmod(\(path))") { chmod(path, mode_t(mode)) }
            if let group {
                guard let entry = getgrnam(group) else {
                    throw .unusableAddress("socket group '\(group)' does not exist")
                }
                try systemCall("chown(\(path), group \(group))") { chown(path, uid_t.max, entry.pointee.gr_gid) }
            }
            try systemCall("listen(\(path))") { listen(descriptor, backlog) }
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        return FastCGIListener(descriptor: descriptor, address: "unix:\(path)", ownedPath: path, owned: true)
    }

    /// A TCP socket on `host`:`port`.
    public static func tcp(host: String, port: UInt16, backlog: Int32) throws(FastCGIError) -> FastCGIListener {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .unusableAddress("cannot resolve listen host '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let info = first.pointee
        let descriptor = try systemCall("socket") { socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol) }
        do throws(FastCGIError) {
            var yes: Int32 = 1
            try systemCall("setsockopt(SO_REUSEADDR)") { setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size)) }
            try systemCall("bind(\(host):\(port))") { bind(descriptor, info.ai_addr, info.ai_addrlen) }
            try systemCall("listen(\(host):\(port))") { listen(descriptor, backlog) }
        } catch {
            close(descriptor)
            throw error
        }
        return FastCGIListener(descriptor: descriptor, address: "\(host):\(port)", ownedPath: nil, owned: true)
    }

    /// The sockets handed over by the parent: systemd's `LISTEN_FDS` (from
    /// fd 3, as `environment` says) when they are meant for this process,
    /// else fd 0 as spawn-fcgi passes it. The variables are then removed
    /// from the process's environment, so that no child takes them for its own.
    public static func inherited(environment: [String: String]) throws(FastCGIError) -> [FastCGIListener] {
        if let pid = environment["LISTEN_PID"], Int32(pid) == getpid(),
            let countText = environment["LISTEN_FDS"], let count = Int32(countText), count > 0
        {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
            return try (0..<count).map { offset throws(FastCGIError) in
                let descriptor = 3 + offset
                try requireListeningSocket(descriptor, origin: "systemd socket activation")
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                return FastCGIListener(descriptor: descriptor, address: "fd:\(descriptor)", ownedPath: nil, owned: false)
            }
        }
        try requireListeningSocket(0, origin: "standard input")
        return [FastCGIListener(descriptor: 0, address: "fd:0", ownedPath: nil, owned: false)]
    }

    private static func requireListeningSocket(_ descriptor: Int32, origin: String) throws(FastCGIError) {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting != 0 else {
            throw .unusableAddress("no --listen address was given and \(origin) (fd \(descriptor)) is not a listening socket")
        }
    }

    /// Removes a socket file left by a previous run. Refuses to touch any
    /// other kind of file, or a socket another process still listens on.
    private static func removeStaleSocket(at path: String, address: sockaddr_un) throws(FastCGIError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw .unusableAddress("'\(path)' exists and is not a socket")
        }
        let probe = try systemCall("socket(AF_UNIX)") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        defer { close(probe) }
        var address = address
        let live = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        if live {
            throw .unusableAddress("'\(path)' is in use: another process is listening on it")
        }
        try systemCall("unlink(\(path))") { unlink(path) }
    }
}
