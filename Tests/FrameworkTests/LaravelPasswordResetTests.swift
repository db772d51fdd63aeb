import AuthSweep
import Foundation
import TestSupport
import Testing

/// The laravel-password-resets preset against Laravel's own
/// `DatabaseTokenRepository` (what `auth:clear-resets` calls, from Debian's
/// php-laravel-framework), on both tables Laravel has used: its
/// `deleteExpired()` on one copy, `cleanup-auth` on another, in the same
/// second; the same rows must stay, and `exists()` accept the same tokens.
@Suite("the laravel-password-resets preset against Laravel's own deleteExpired()", .serialized)
struct LaravelPasswordResetTests {
    static func oracle(appZone: String) -> AuthPresetOracle {
        AuthPresetOracle(
            driver: DriverFramework(
                name: "Laravel password resets", preset: .laravel, command: ["php", "\(DriverFramework.directory)/laravel/auth_driver.php"],
                options: ["APP_TIME_ZONE": appZone]),
            presets: "laravel-password-resets", tables: ["password_resets", "password_reset_tokens"],
            environment: ["AUTHSWEEP_SESSION_COLUMN_TIME_ZONE": appZone])
    }

    @Test(
        "cleanup-auth deletes exactly what deleteExpired() does from password_resets and password_reset_tokens, written in UTC or in New York's wall time",
        arguments: ["UTC", "America/New_York"])
    func sameRowsAsLaravel(appZone: String) throws {
        let oracle = Self.oracle(appZone: appZone)
        let outcome = try oracle.compare("auth_laravel")
        #expect(outcome.authsweep.status == 0, "\(outcome.authsweep.stderr)")
        for table in oracle.tables {
            #expect(outcome.keptByAuthSweep[table] == outcome.keptByFramework[table], "\(table)")
            let (had, kept) = (outcome.before[table]?.count ?? 0, outcome.keptByFramework[table]?.count ?? 0)
            #expect(kept < had && kept > 0, "\(table): \(had) rows, \(kept) kept")
            #expect(outcome.deletedByPreset["laravel-password-resets"]?[table] == had - (outcome.keptByAuthSweep[table]?.count ?? 0))
        }
        let accepted = AuthPresetOracle.farFromNow(outcome.acceptedAfterAuthSweep)
        #expect(accepted == AuthPresetOracle.farFromNow(outcome.acceptedAfterFramework))
        #expect(accepted.isSuperset(of: ["reset_p3600", "reset_token_p86400"]), "\(accepted.sorted())")
    }
}
