import AuthSweep
@_spi(ForTesting) import Postgres
import TestSupport
import Testing

@Suite("how authsweep opens its database connections")
struct ConnectionSettingsTests {
    let database: TestDatabase

    init() throws {
        database = try TestDatabase.fresh("connection_settings")
    }

    @Test("keepalives and tcp_user_timeout notice a dead link within 30 s unless the connection string says otherwise")
    func deadLinkDefaults() throws {
        let connection = try DatabaseSettings(configuration: database.configuration()).connect()
        #expect(connection.parameter("keepalives") == "1")
        #expect(connection.parameter("keepalives_idle") == "10")
        #expect(connection.parameter("keepalives_interval") == "5")
        #expect(connection.parameter("keepalives_count") == "3")
        #expect(connection.parameter("tcp_user_timeout") == "30000")
        let overridden = try DatabaseSettings(
            configuration: database.configuration { $0.databaseURL = database.connectionString + " keepalives_idle=60 tcp_user_timeout=0" }
        ).connect()
        #expect(overridden.parameter("keepalives_idle") == "60")
        #expect(overridden.parameter("tcp_user_timeout") == "0")
        #expect(overridden.parameter("keepalives_count") == "3")
    }
}
