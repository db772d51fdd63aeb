import AuthSweep
import Foundation
import Locking
import Postgres
import TestSupport
import Testing

@Suite("a refreshed session survives a running cleanup", .serialized)
final class ConcurrentRefreshTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("refresh")
    }

    @Test("sessions whose expiry is pushed into the future while the cleanup runs are never deleted", arguments: [DeletionScan.index, .sweep])
    func refreshedSessionsSurvive(scan: DeletionScan) throws {
        let expiredCount = 200_000
        try database.insertSessions(expiredCount, prefix: "s-", expiringIn: -60)
        let test = TestJobs(database) {
            $0.batchSize = 500
            $0.deletionScan = scan
        }
        let configuration = test.configuration
        let logger = test.logger
        let result = Locked<Result<CleanupOutcome.Sessions, JobError>?>(nil)
        let cleanup = Thread {
            let jobs = CleanupJobs(configuration: configuration, logger: logger)
            let session = DatabaseSession(settings: DatabaseSettings(configuration: configuration))
            let outcome = Result { () throws(JobError) in try jobs.cleanupSessions(on: session, options: CleanupOptions()) }
            result.withLock { $0 = outcome }
        }
        cleanup.start()

        // Refresh random expired sessions from another connection, as users
        // hitting the site would, until the cleanup is done.
        let refresher = try database.connect()
        var refreshed: Set<String> = []
        while result.withLock({ $0 == nil }) {
            let id = "s-\(Int.random(in: 1...expiredCount))"
            let updated = try refresher.query(
                """
                UPDATE "Session" SET expires = (now() AT TIME ZONE 'UTC') + interval '30 minutes'
                WHERE id = \(id) AND expires <= (now() AT TIME ZONE 'UTC') RETURNING id
                """
            )
            if updated.rows.count == 1 { refreshed.insert(id) }
        }
        let outcome = try #require(try result.withLock { $0 }?.get())

        #expect(refreshed.count > 10, "the refreshes overlapped the cleanup")
        let surviving = try refresher.query(#"SELECT id FROM "Session""#).rows.compactMap { $0[0] }
        #expect(Set(surviving) == refreshed, "every refreshed session, and nothing else, is left")
        #expect(outcome.deletedCount == expiredCount - refreshed.count)
        #expect(test.scanUsed == scan.rawValue)
    }
}
