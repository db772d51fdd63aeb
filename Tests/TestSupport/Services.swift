@_exported import Fixtures
import Foundation

public enum TestUser {
    /// nginx's workers and the socket group when the tests run as root.
    public static var isRoot: Bool { getuid() == 0 }
}

/// A loopback TCP port nobody listens on right now.
public func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
        }
    }
    guard bound else { throw TestSetupError("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts connections on the unix socket at `path`.
public func acceptsConnections(unixSocket path: String) -> Bool {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
    }
}

/// A unix socket listening at `path`, held by the test as systemd holds a
/// socket unit's: workers started on it (fd 0) come and go, and connections
/// queue meanwhile. Closed by the caller.
public func listeningUnixSocket(_ path: String) throws -> Int32 {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8).prefix($0.count - 1)) }
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
    }
    guard bound, listen(descriptor, 512) == 0 else {
        close(descriptor)
        throw TestSetupError("cannot listen on \(path): \(String(cString: strerror(errno)))")
    }
    return descriptor
}

/// Whether something accepts connections on 127.0.0.1:`port`.
public func acceptsConnections(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A real `authsweep serve` on a unix socket.
public final class WorkerProcess: Sendable {
    public let socketPath: String
    public let process: ChildProcess

    /// - Parameter environment: added to the worker's environment (secrets,
    ///   DATABASE_URL, AUTHSWEEP_* settings); nil removes a variable.
    ///   - arguments: added to `serve`'s (`--env-file PATH`, `--config PATH`).
    public init(directory: String, name: String = "authsweep", threads: Int = 2, environment: [String: String?], arguments: [String] = []) throws {
        socketPath = "\(directory)/\(name).sock"
        var merged = environment
        if TestUser.isRoot { merged["AUTHSWEEP_SERVE_SOCKET_GROUP"] = "www-data" }
        process = try ChildProcess(
            PackagePaths.binary, ["serve", "--listen", "unix:\(socketPath)", "--threads", String(threads)] + arguments, environment: merged)
        let socketPath = socketPath
        let process = process
        try waitFor("the worker's socket \(socketPath)") { acceptsConnections(unixSocket: socketPath) || !process.isRunning }
        guard process.isRunning else {
            throw TestSetupError("authsweep serve exited with \(process.exitStatus): \(process.standardError)")
        }
    }

    /// SIGTERM, then the exit status (fails the wait after 10 s).
    public func stop() throws -> Int32 {
        process.signal(SIGTERM)
        guard process.waitUntilExit(timeout: 10) else { throw TestSetupError("the worker did not stop on SIGTERM") }
        return process.exitStatus
    }
}

/// A real nginx running `nginx.conf.example` itself, rendered by
/// `deploy/render-nginx-site` with the paths a test needs: the workers'
/// socket directory, the TLS certificate (a self-signed one made here with
/// openssl), the ports and the log file.
public final class NginxServer: Sendable {
    public let httpPort: Int
    public let httpsPort: Int
    public let process: ChildProcess
    public let directory: String
    /// The site's ACME webroot: a file under `.well-known/acme-challenge/`
    /// here is served on the plain-HTTP port.
    public var acmeWebroot: String { directory + "/acme" }

    /// - Parameters:
    ///   - socketDirectory: where the workers' `authsweep-N.sock` are (the
    ///     example's `/run/authsweep/`).
    ///   - rateLimit: replaces the example's `rate=2r/s`, for tests that send
    ///     many requests on purpose to see what the worker does with them.
    public init(directory: String, socketDirectory: String, rateLimit: String? = nil) throws {
        self.directory = directory + "/nginx"
        httpPort = try freePort()
        // The kernel may hand the just-released port out again: the same
        // port for both servers made the plain one an SSL listener without
        // a certificate, and nginx refused the site.
        var https = try freePort()
        while https == httpPort { https = try freePort() }
        httpsPort = https
        let nginxDirectory = self.directory
        for temp in ["body", "fastcgi", "proxy", "uwsgi", "scgi", "logs", "acme/.well-known/acme-challenge"] {
            try FileManager.default.createDirectory(atPath: "\(nginxDirectory)/\(temp)", withIntermediateDirectories: true)
        }
        let tls = try SelfSignedCertificate(in: nginxDirectory, commonName: "cron.example.com")
        let (certificate, key) = (tls.certificate, tls.key)

        // The site as an install (the package's render-nginx-site) and scripts/demo render it, for this test's paths and ports.
        let rendered = try ChildProcess.run(
            PackagePaths.root + "/deploy/render-nginx-site",
            [
                "--socket-dir", socketDirectory, "--certificate", certificate, "--key", key,
                "--access-log", "\(nginxDirectory)/logs/access.log",
                "--http-listen", "127.0.0.1:\(httpPort)", "--https-listen", "127.0.0.1:\(httpsPort)",
                "--acme-webroot", "\(nginxDirectory)/acme",
            ] + (rateLimit.map { ["--rate", $0] } ?? []))
        guard rendered.status == 0 else { throw TestSetupError("deploy/render-nginx-site failed: \(rendered.stderr)") }
        let site = rendered.stdout
        try site.write(toFile: "\(nginxDirectory)/authsweep.conf", atomically: true, encoding: .utf8)
        let main = """
            \(TestUser.isRoot ? "user www-data;" : "")
            worker_processes 2;
            pid \(nginxDirectory)/nginx.pid;
            error_log \(nginxDirectory)/logs/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path \(nginxDirectory)/body;
                fastcgi_temp_path \(nginxDirectory)/fastcgi;
                proxy_temp_path \(nginxDirectory)/proxy;
                uwsgi_temp_path \(nginxDirectory)/uwsgi;
                scgi_temp_path \(nginxDirectory)/scgi;
                include \(nginxDirectory)/authsweep.conf;
            }
            """
        try main.write(toFile: "\(nginxDirectory)/nginx.conf", atomically: true, encoding: .utf8)
        let executable = ["/usr/sbin/nginx", "/usr/local/sbin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/nginx"
        process = try ChildProcess(executable, ["-c", "\(nginxDirectory)/nginx.conf", "-p", nginxDirectory, "-g", "daemon off;"])
        let ports = (httpPort, httpsPort)
        let process = process
        try waitFor("nginx on ports \(ports)") { (acceptsConnections(port: ports.0) && acceptsConnections(port: ports.1)) || !process.isRunning }
        guard process.isRunning else { throw TestSetupError("nginx exited: \(process.standardError)") }
    }

    /// `https://127.0.0.1:PORT`, with the test's self-signed certificate.
    public var baseURL: String { "https://127.0.0.1:\(httpsPort)" }
    public var plainURL: String { "http://127.0.0.1:\(httpPort)" }

    /// What nginx wrote to the site's access log so far.
    public var accessLog: String {
        (try? String(contentsOfFile: "\(directory)/logs/access.log", encoding: .utf8)) ?? ""
    }

    deinit {
        process.signal(SIGQUIT)
        _ = process.waitUntilExit(timeout: 5)
    }
}

/// One HTTP exchange made with curl.
public struct HTTPResponse: Sendable {
    public let status: Int
    /// Header names lower-cased; the last value wins.
    public let headers: [String: String]
    public let body: String

    /// The body parsed as a JSON object.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
}

public enum HTTPClient {
    /// Sends one request with curl and parses the answer; `curlArguments`
    /// go before the others (`--http1.1`, for one).
    public static func request(
        _ method: String, _ url: String, headers: [String] = [], body: String? = nil, curlArguments: [String] = []
    ) throws -> HTTPResponse {
        // -k: the tests' certificate is self-signed.
        var arguments = curlArguments + ["-s", "-k", "-i", "--max-time", "60", "-X", method, url]
        for header in headers { arguments += ["-H", header] }
        var bodyFile: String?
        if let body {
            let path = NSTemporaryDirectory() + "authsweep-body-\(UUID().uuidString)"
            try body.write(toFile: path, atomically: false, encoding: .utf8)
            bodyFile = path
            arguments += ["--data-binary", "@" + path]
        }
        defer { bodyFile.map { try? FileManager.default.removeItem(atPath: $0) } }
        let result = try ChildProcess.run("/usr/bin/curl", arguments)
        guard result.status == 0 else { throw TestSetupError("curl failed (\(result.status)): \(result.stderr)") }
        return try parse(result.stdout)
    }

    /// Parses curl's `-i` output.
    public static func parse(_ raw: String) throws -> HTTPResponse {
        guard let split = raw.range(of: "\r\n\r\n") else { throw TestSetupError("no header end in: \(raw)") }
        let headLines = raw[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = headLines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestSetupError("bad status line: \(headLines[0])") }
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPResponse(status: status, headers: headers, body: String(raw[split.upperBound...]))
    }
}

extension HTTPClient {
    /// One request of a batch: the header lines are raw bytes, so they can
    /// carry what a String cannot (bytes that are not UTF-8).
    public struct BatchRequest {
        public var method: String
        public var path: String
        public var headerLines: [[UInt8]]
        public init(_ method: String, _ path: String, headerLines: [[UInt8]] = []) {
            self.method = method
            self.path = path
            self.headerLines = headerLines
        }
    }

    /// Sends every request with one curl process (a config file, one block
    /// per request, reusing the connection; HTTP/1.1, where nginx answers an
    /// oversized header with 400 at once) and returns the statuses in order.
    public static func statuses(of requests: [BatchRequest], baseURL: String, scratch: String) throws -> [Int] {
        var config: [UInt8] = []
        func quoted(_ bytes: [UInt8]) -> [UInt8] {
            var output: [UInt8] = [UInt8(ascii: "\"")]
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { output.append(UInt8(ascii: "\\")) }
                output.append(byte)
            }
            return output + [UInt8(ascii: "\"")]
        }
        for (index, request) in requests.enumerated() {
            if index > 0 { config += Array("next\n".utf8) }
            config += Array("request = ".utf8) + quoted(Array(request.method.utf8)) + [10]
            config += Array("url = ".utf8) + quoted(Array((baseURL + request.path).utf8)) + [10]
            for line in request.headerLines { config += Array("header = ".utf8) + quoted(line) + [10] }
            config += Array("output = \"/dev/null\"\nwrite-out = \"%{http_code}\\n\"\ninsecure\nsilent\nhttp1.1\nmax-time = 30\n".utf8)
            if request.method == "HEAD" { config += Array("head\n".utf8) }
        }
        let path = scratch + "/curl-\(UUID().uuidString).conf"
        try Data(config).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try ChildProcess.run("/usr/bin/curl", ["-K", path])
        let statuses = result.stdout.split(separator: "\n").map { Int($0) ?? -1 }
        guard statuses.count == requests.count else {
            throw TestSetupError("curl answered \(statuses.count) of \(requests.count) requests: \(result.stderr)")
        }
        return statuses
    }
}
