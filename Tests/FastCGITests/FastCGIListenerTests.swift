import FastCGI
import Fixtures
import Foundation
import Testing

@Suite("Listening sockets")
struct FastCGIListenerTests {
    /// Removed with the test's suite instance.
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("listener")
    }

    func scratchPath(_ name: String) -> String {
        scratch.path + "/" + name
    }

    @Test("a unix socket gets the configured mode and is removed when released")
    func unixSocketMode() throws {
        let path = scratchPath("a.sock")
        do {
            let listener = try FastCGIListener.open("unix:\(path)", socketMode: 0o600)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(listener.address == "unix:\(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a socket another process listens on is refused; a stale one is replaced")
    func liveAndStaleSockets() throws {
        let path = scratchPath("b.sock")
        let first = try FastCGIListener.open("unix:\(path)", socketMode: 0o660)
        #expect(throws: FastCGIError.self) { try FastCGIListener.open("unix:\(path)", socketMode: 0o660) }
        _ = first
        // A socket file nobody listens on, as a killed worker leaves it.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let stalePath = scratchPath("c.sock")
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(stalePath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(stale)
        #expect(bound == 0)
        let replacement = try FastCGIListener.open("unix:\(stalePath)", socketMode: 0o660)
        #expect(replacement.address == "unix:\(stalePath)")
    }

    @Test("a regular file at the socket path is never removed")
    func refusesRegularFile() throws {
        let path = scratchPath("precious")
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: FastCGIError.self) { try FastCGIListener.open("unix:\(path)", socketMode: 0o660) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test("listen addresses are parsed or refused with a clear message", arguments: ["nonsense", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:99999", "unix:"])
    func badAddresses(spec: String) {
        #expect(throws: FastCGIError.self) { try FastCGIListener.open(spec, socketMode: 0o660) }
    }

    @Test("a TCP listener binds IPv4 and IPv6 loopback")
    func tcp() throws {
        let v4 = try FastCGIListener.tcp(host: "127.0.0.1", port: 0, backlog: 16)
        #expect(v4.address == "127.0.0.1:0")
        let v6 = try FastCGIListener.tcp(host: "::1", port: 0, backlog: 16)
        #expect(v6.address == "::1:0")
    }
}
