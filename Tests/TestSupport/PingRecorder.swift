public import Foundation

/// A local HTTP server that records the requests it gets and answers each
/// with 200 (or `status`): the dead-man ping service in the tests.
public final class PingRecorder: @unchecked Sendable {
    // @unchecked: `received` and `held` are only touched with `lock` held.
    public struct Request: Sendable, Equatable {
        public let method: String
        /// Path and query, as sent.
        public let target: String
        public let body: String
    }

    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private let status: Int

    /// The base URL to configure: `http://127.0.0.1:<port>/ping`.
    public var baseURL: String { "http://127.0.0.1:\(port)/ping" }

    /// A request a stalled recorder held: when it arrived, and when its
    /// sender gave up and closed the connection.
    public struct Held: Sendable {
        public let request: Request
        public let arrived: Date
        public let abandoned: Date
    }

    private let stalled: Bool
    private var held: [Held] = []

    /// - Parameter stalled: take every request and never answer it: each
    ///   hangs until its sender gives up (a ping service that stalls); the
    ///   requests are recorded, with their times in `heldRequests`.
    public init(status: Int = 200, stalled: Bool = false) throws {
        self.status = status
        self.stalled = stalled
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0 && listen(descriptor, 64) == 0
            }
        }
        guard listening else {
            close(descriptor)
            throw TestSetupError("the ping recorder cannot listen")
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Every request so far, in order.
    public var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// The requests a stalled recorder held, in the order they arrived.
    public var heldRequests: [Held] {
        lock.lock()
        defer { lock.unlock() }
        return held.sorted { $0.arrived < $1.arrived }
    }

    /// Reads the request, records it, and waits for its sender to close.
    private func hold(_ connection: Int32) {
        defer { close(connection) }
        let arrived = Date()
        guard let request = read(connection) else { return }
        lock.lock()
        received.append(request)
        lock.unlock()
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var byte: UInt8 = 0
        while recv(connection, &byte, 1, 0) > 0 {}
        lock.lock()
        held.append(Held(request: request, arrived: arrived, abandoned: Date()))
        lock.unlock()
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            if stalled {
                // One thread each: a request sent while another is held shows as an overlap.
                Thread { [self] in hold(connection) }.start()
                continue
            }
            if let request = read(connection) {
                lock.lock()
                received.append(request)
                lock.unlock()
            }
            let answer = "HTTP/1.1 \(status) Recorded\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"
            _ = answer.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }

    /// One request: its line, its headers, and a body of Content-Length bytes.
    private func read(_ connection: Int32) -> Request? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while true {
            let text = String(decoding: bytes, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound]
                let lines = head.split(separator: "\r\n")
                let parts = lines.first?.split(separator: " ") ?? []
                let length =
                    lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let bodyStart = text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound)
                if bytes.count - bodyStart >= length, parts.count >= 2 {
                    return Request(
                        method: String(parts[0]), target: String(parts[1]),
                        body: String(decoding: bytes[bodyStart..<(bodyStart + length)], as: UTF8.self))
                }
            }
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            bytes += buffer[0..<count]
        }
    }
}
