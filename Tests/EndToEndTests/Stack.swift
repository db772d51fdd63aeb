import Foundation
import TestSupport

/// PostgreSQL (the test command's), a pool of real `authsweep serve`
/// processes and a real nginx from `nginx.conf.example`, for one test.
final class Stack {
    static let secret = "e2e-current-secret-0123456789"
    static let previousSecret = "e2e-previous-secret-abcdefgh"

    let scratch: ScratchDirectory
    let database: TestDatabase
    /// The pool `nginx.conf.example` names: authsweep-1.sock to authsweep-3.sock.
    let workers: [WorkerProcess]
    let nginx: NginxServer
    /// With `AUTHSWEEP_TEST_POOLER=transaction` (or `session`), the workers
    /// reach the database through a PgBouncer in that mode: scripts/test runs
    /// the endpoint suite once more that way.
    let pooler: PgBouncerServer?

    var worker: WorkerProcess { workers[0] }

    init(_ name: String, workerEnvironment: [String: String?] = [:], rateLimit: String? = nil) throws {
        scratch = try ScratchDirectory(name)
        database = try TestDatabase.fresh("e2e_\(name)")
        var environment: [String: String?] = [
            "CRON_SECRET": Self.secret,
            "CRON_SECRET_PREVIOUS": Self.previousSecret,
            "CRON_SECRET_FILE": nil,
            "DATABASE_URL": database.connectionString,
        ]
        if let mode = ProcessInfo.processInfo.environment["AUTHSWEEP_TEST_POOLER"], !mode.isEmpty {
            let pooler = try PgBouncerServer(in: scratch.path, poolMode: mode, poolSize: mode == "session" ? 8 : 3)
            environment["DATABASE_URL"] = pooler.connectionString(database: database.name)
            self.pooler = pooler
        } else {
            pooler = nil
        }
        for (key, value) in workerEnvironment { environment[key] = value }
        let directory = scratch.path
        workers = try (1...3).map { number in
            try WorkerProcess(directory: directory, name: "authsweep-\(number)", environment: environment)
        }
        nginx = try NginxServer(directory: scratch.path, socketDirectory: scratch.path, rateLimit: rateLimit)
    }

    /// A request through nginx; `token` goes in `Authorization: Bearer`.
    func request(_ method: String, _ path: String, token: String? = Stack.secret, headers: [String] = []) throws -> HTTPResponse {
        let authorization = token.map { ["Authorization: Bearer \($0)"] } ?? []
        return try HTTPClient.request(method, nginx.baseURL + path, headers: authorization + headers)
    }
}
