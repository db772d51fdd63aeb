internal import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd (a `Type=notify` unit) where the worker is: ready to serve,
/// reloading its settings, stopping. The protocol is sd_notify(3)'s, one
/// datagram on the unix socket `NOTIFY_SOCKET` names (a path, or `@` for an
/// abstract name), so no libsystemd is needed. Without `NOTIFY_SOCKET` (not
/// run by systemd, or not as `Type=notify`) every call does nothing.
public struct ServiceManagerNotifier: Sendable {
    private let socketPath: [UInt8]?

    public init(environment: [String: String]) {
        let path = environment["NOTIFY_SOCKET"].map { Array($0.utf8) } ?? []
        socketPath = path.first == UInt8(ascii: "/") || path.first == UInt8(ascii: "@") ? path : nil
    }

    /// Serving: systemd's start (or reload) job is done.
    public func ready() {
        send("READY=1")
    }

    /// A reload began; `ready()` says it ended. The monotonic time lets
    /// systemd tell this reload from an earlier one.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        send("RELOADING=1\nMONOTONIC_USEC=\(Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1_000)")
    }

    /// Draining the requests in flight before the exit.
    public func stopping() {
        send("STOPPING=1")
    }

    /// Best effort, like sd_notify: a service manager that does not listen
    /// must not stop the worker.
    private func send(_ state: String) {
        guard let socketPath else { return }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard socketPath.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: socketPath)
            // An abstract name starts with a NUL byte where the `@` was.
            if socketPath.first == UInt8(ascii: "@") { buffer[0] = 0 }
        }
        // An abstract address's length counts its name's bytes exactly (no NUL at the end).
        let length = MemoryLayout<sa_family_t>.size + socketPath.count + (socketPath.first == UInt8(ascii: "/") ? 1 : 0)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let message = Array(state.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, socklen_t(length)) }
            }
        }
    }
}
