import Foundation

/// A FastCGI peer for tests that talk to a worker's socket directly,
/// bypassing nginx: well-formed requests, and whatever malformed bytes a
/// test wants to send.
public final class FastCGIConnection: Sendable {
    public let descriptor: Int32

    /// Connects to the unix socket at `path`.
    public convenience init(unixSocket path: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
        try self.init(family: AF_UNIX, address: address, name: path)
    }

    /// Connects to a worker's TCP listener on loopback.
    public convenience init(host: String = "127.0.0.1", port: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        try self.init(family: AF_INET, address: address, name: "\(host):\(port)")
    }

    /// Connects a stream socket of `family` to `address`, with a 30 s receive timeout.
    private init<Address>(family: Int32, address: Address, name: String) throws {
        // Close-on-exec: a child the suite starts meanwhile (PgBouncer, a
        // worker) must not inherit the hostile tests' thousand connections.
        descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<Address>.size)) == 0 }
        }
        guard connected else {
            close(descriptor)
            throw TestSetupError("cannot connect to \(name): \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    /// Sends what the socket takes without waiting; the count sent.
    public func sendWithoutWaiting(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if written <= 0 { break }
            offset += written
        }
        return offset
    }

    /// Sends `bytes`; false if the peer closed the connection.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Reads until the peer closes, the timeout passes or `limit` bytes came.
    public func receiveAll(limit: Int = 1 << 20) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.count < limit {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received
    }

    /// Reads until one response has ended (FCGI_END_REQUEST), for a
    /// kept-alive connection that the worker does not close.
    public func receiveOneResponse() -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while FastCGIRecord.parseResponse(received)?.ended != true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return received
    }

    /// Closes the write side: the worker sees end of input.
    public func finishWriting() { shutdown(descriptor, Int32(SHUT_WR)) }
}

/// Builds FastCGI records (FastCGI 1.0 specification).
public enum FastCGIRecord {
    public static let beginRequest: UInt8 = 1, abortRequest: UInt8 = 2, endRequest: UInt8 = 3
    public static let params: UInt8 = 4, stdin: UInt8 = 5, stdout: UInt8 = 6, stderr: UInt8 = 7

    /// One record; `version` and `declaredLength` can lie on purpose.
    public static func record(_ type: UInt8, requestID: UInt16 = 1, content: [UInt8], version: UInt8 = 1, declaredLength: Int? = nil) -> [UInt8] {
        let length = declaredLength ?? content.count
        return [version, type, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff), 0, 0] + content
    }

    /// FCGI_BEGIN_REQUEST for the responder role; `keepConnection` sets FCGI_KEEP_CONN.
    public static func begin(requestID: UInt16 = 1, keepConnection: Bool = false) -> [UInt8] {
        record(beginRequest, requestID: requestID, content: [0, 1, keepConnection ? 1 : 0, 0, 0, 0, 0, 0])
    }

    /// Name-value pairs, split into records of at most 65535 bytes, then the empty record.
    public static func params(_ pairs: [(String, [UInt8])], requestID: UInt16 = 1) -> [UInt8] {
        var body: [UInt8] = []
        for (name, value) in pairs {
            body += lengthPrefix(name.utf8.count) + lengthPrefix(value.count) + Array(name.utf8) + value
        }
        return chunked(params, body, requestID: requestID)
    }

    public static func stdinStream(_ bytes: [UInt8], requestID: UInt16 = 1) -> [UInt8] {
        chunked(stdin, bytes, requestID: requestID)
    }

    /// A whole well-formed request.
    public static func request(method: String, path: String, authorization: String? = nil, body: [UInt8] = [], keepConnection: Bool = false) -> [UInt8] {
        var pairs: [(String, [UInt8])] = [
            ("REQUEST_METHOD", Array(method.utf8)), ("REQUEST_URI", Array(path.utf8)), ("SCRIPT_NAME", Array(path.utf8)),
            ("CONTENT_LENGTH", Array(String(body.count).utf8)), ("SERVER_PROTOCOL", Array("HTTP/1.1".utf8)),
        ]
        if let authorization { pairs.append(("HTTP_AUTHORIZATION", Array(authorization.utf8))) }
        return begin(keepConnection: keepConnection) + params(pairs) + stdinStream(body)
    }

    private static func chunked(_ type: UInt8, _ body: [UInt8], requestID: UInt16) -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = min(offset + 65535, body.count)
            output += record(type, requestID: requestID, content: Array(body[offset..<end]))
            offset = end
        }
        return output + record(type, requestID: requestID, content: [])
    }

    public static func lengthPrefix(_ length: Int) -> [UInt8] {
        length < 128 ? [UInt8(length)] : [UInt8((length >> 24) & 0x7f) | 0x80, UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
    }

    /// The status and body of the CGI response carried by the STDOUT
    /// records in `bytes`, or nil when there is no complete response.
    public static func parseResponse(_ bytes: [UInt8]) -> (status: Int, headers: String, body: String, ended: Bool)? {
        var stdoutBytes: [UInt8] = []
        var offset = 0
        var ended = false
        while offset + 8 <= bytes.count {
            let type = bytes[offset + 1]
            let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            let padding = Int(bytes[offset + 6])
            guard offset + 8 + length + padding <= bytes.count else { break }
            if type == stdout { stdoutBytes += bytes[(offset + 8)..<(offset + 8 + length)] }
            if type == endRequest { ended = true }
            offset += 8 + length + padding
        }
        let text = String(decoding: stdoutBytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), text.hasPrefix("Status: ") else { return nil }
        let head = String(text[..<split.lowerBound])
        let status = Int(head.dropFirst(8).prefix(3)) ?? 0
        return (status, head, String(text[split.upperBound...]), ended)
    }
}
