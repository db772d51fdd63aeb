// libFuzzer target: the live request path. Every input is a byte stream a
// peer sends to a real FastCGIServer over its unix socket: accepted by a
// responder, read and checked by RequestFramer, parsed by libfcgi on the
// private pair, answered by a handler, written back. The peer reads as it
// writes (as nginx does), then half-closes. It fails (abort) when the
// worker crashes, when a connection is not finished within 5 s (the read
// deadline is 1 s), when the answer is not well-formed FastCGI records, or
// when a valid request stops being answered.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Answers with what a real handler reads: method, path, the Authorization
/// values; `HTTP_X_ANSWER_KIB` asks for a large answer, written in chunks.
final class EchoHandler: FastCGIHandler {
    func handle(_ request: FastCGIRequest) -> FastCGIResponse {
        var body = Array("\(request.method) \(request.path) \(request.values("HTTP_AUTHORIZATION").count)".utf8)
        if let size = request["HTTP_X_ANSWER_KIB"].flatMap(Int.init), (0...512).contains(size) {
            body += [UInt8](repeating: UInt8(ascii: "x"), count: size * 1024)
        }
        return FastCGIResponse(status: 200, headers: [.init("Content-Type", "text/plain")], body: body)
    }
}

/// The server under test, started once per fuzzing process.
final class LivePath: Sendable {
    static let shared = LivePath()
    let socketPath = "/tmp/authsweep-fuzz-\(getpid()).sock"
    let server: FastCGIServer

    private init() {
        do throws(FastCGIError) {
            let listener = try FastCGIListener.open("unix:\(socketPath)", socketMode: 0o600)
            server = try FastCGIServer(listeners: [listener], threads: 2, readTimeoutSeconds: 1)
            var thread = pthread_t()
            let box = Unmanaged.passRetained(server).toOpaque()
            pthread_create(
                &thread, nil,
                { context in
                    let server = Unmanaged<FastCGIServer>.fromOpaque(context!).takeRetainedValue()
                    do throws(FastCGIError) {
                        try server.run(makeHandler: { _ in EchoHandler() })
                    } catch {
                        fatalError("the server stopped: \(error)")
                    }
                    return nil
                }, box)
        } catch {
            fatalError("cannot start the server: \(error)")
        }
        while access(socketPath, F_OK) != 0 { usleep(1_000) }
        atexit { unlink(LivePath.shared.socketPath) }
    }

    /// Sends `input` on a new connection, reading whatever comes back.
    func exchange(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 || errno == EAGAIN else { fatalError("cannot connect: \(errno)") }
        var sent = 0
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        if input.isEmpty { shutdown(descriptor, Int32(SHUT_WR)) }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLIN) | (sent < input.count ? Int16(POLLOUT) : 0), revents: 0)
            _ = poll(&waiting, 1, 100)
            // The worker runs in this process: a close() of a number it no
            // longer owns would land on this socket.
            guard waiting.revents & Int16(POLLNVAL) == 0 else {
                fatalError("the client's socket (fd \(descriptor)) was closed under it: a stray close() in the process; \(server.table.summary)")
            }
            if sent < input.count, waiting.revents & Int16(POLLOUT) != 0 {
                let count = send(descriptor, input.baseAddress! + sent, input.count - sent, Int32(MSG_NOSIGNAL))
                if count > 0 {
                    sent += count
                    if sent == input.count { shutdown(descriptor, Int32(SHUT_WR)) }
                } else if errno != EAGAIN {
                    sent = input.count  // closed by the worker
                }
            }
            if waiting.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count > 0 {
                    received += buffer[0..<count]
                } else if count == 0 || errno != EAGAIN {
                    return received
                }
            }
        }
        var last = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&last, 1, 0)
        fatalError(
            "the worker neither finished nor closed a connection within 5 s (sent \(sent) of \(input.count) bytes, received \(received.count); the client's fd \(descriptor) polls \(ready) with events \(last.revents), fcntl \(fcntl(descriptor, F_GETFD))); the worker's connections: \(server.table.summary)"
        )
    }
}

/// Every answer is a run of whole version-1 records of the responder's
/// output types, each request ending with END_REQUEST.
func checkAnswer(_ bytes: [UInt8]) {
    var offset = 0
    while offset + 8 <= bytes.count {
        let type = bytes[offset + 1]
        let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
        guard bytes[offset] == 1, [3, 6, 7].contains(type) else { fatalError("not a responder's record at \(offset): \(bytes[offset..<offset + 8])") }
        offset += 8 + length + Int(bytes[offset + 6])
    }
    guard offset == bytes.count else { fatalError("a record cut short") }
}

private let validRequest: [UInt8] = {
    func record(_ type: UInt8, _ content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xff), 0, 0] + content
    }
    let parameters: [UInt8] = [14, 3] + Array("REQUEST_METHODGET".utf8) + [11, 16] + Array("REQUEST_URI/api/cron/health".utf8)
    return record(1, [0, 1, 0, 0, 0, 0, 0, 0]) + record(4, parameters) + record(4, []) + record(5, [])
}()

nonisolated(unsafe) private var inputs = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLivePath(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = LivePath.shared
    checkAnswer(path.exchange(UnsafeRawBufferPointer(start: data, count: size)))
    inputs += 1
    if inputs % 50 == 0 {
        let answer = validRequest.withUnsafeBytes { path.exchange($0) }
        guard answer.count > 8, String(decoding: answer, as: UTF8.self).contains("GET /api/cron/health") else {
            fatalError("a valid request was not answered")
        }
    }
    return 0
}
