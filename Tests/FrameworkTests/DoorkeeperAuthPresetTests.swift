import AuthSweep
import Foundation
import TestSupport
import Testing

/// The doorkeeper preset against Doorkeeper itself (Debian's
/// ruby-doorkeeper 5.5 on ActiveRecord 6.1): its migration template makes
/// the tables, its models write the tokens and grants, its own
/// `doorkeeper:db:cleanup` rake task cleans one copy, `cleanup-auth` the
/// other, in the same second; the same rows must stay, and the models'
/// `accessible?` accept the same tokens.
@Suite("the doorkeeper preset against Doorkeeper's own doorkeeper:db:cleanup", .serialized)
struct DoorkeeperAuthPresetTests {
    static func oracle(localZone: String?) -> AuthPresetOracle {
        var options: [String: String] = [:]
        var environment: [String: String?] = [:]
        if let localZone {
            options = ["RAILS_DEFAULT_TIMEZONE": "local", "APP_TIME_ZONE": localZone]
            environment["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE"] = localZone
        }
        return AuthPresetOracle(
            driver: DriverFramework(
                name: "Doorkeeper", preset: .rails, command: ["ruby", "\(DriverFramework.directory)/rails/doorkeeper_driver.rb"], options: options),
            presets: "doorkeeper", tables: ["oauth_access_tokens", "oauth_access_grants", "oauth_applications"], environment: environment)
    }

    @Test(
        "cleanup-auth deletes exactly what doorkeeper:db:cleanup does (revoked, and aged past the default lifetimes whatever the row's own expires_in), with Rails writing UTC or New York's wall time",
        arguments: [nil, "America/New_York"])
    func sameRowsAsDoorkeeper(localZone: String?) throws {
        let oracle = Self.oracle(localZone: localZone)
        let outcome = try oracle.compare("auth_doorkeeper")
        #expect(outcome.authsweep.status == 0, "\(outcome.authsweep.stderr)")
        for table in oracle.tables {
            #expect(outcome.keptByAuthSweep[table] == outcome.keptByFramework[table], "\(table)")
        }
        for table in ["oauth_access_tokens", "oauth_access_grants"] {
            let (had, kept) = (outcome.before[table]?.count ?? 0, outcome.keptByFramework[table]?.count ?? 0)
            #expect(kept < had && kept > 0, "\(table): \(had) rows, \(kept) kept")
            #expect(outcome.deletedByPreset["doorkeeper"]?[table] == had - (outcome.keptByAuthSweep[table]?.count ?? 0))
        }
        let accepted = AuthPresetOracle.farFromNow(outcome.acceptedAfterAuthSweep)
        #expect(accepted == AuthPresetOracle.farFromNow(outcome.acceptedAfterFramework))
        #expect(accepted.isSuperset(of: ["aged_forever_p3600", "revoked_p3600", "grant_aged_p86400"]), "\(accepted.sorted())")
    }
}
