import AuthSweep
import Foundation
import Postgres
import TestSupport
import Testing

/// The auth presets of three Django apps against the apps themselves:
/// django-oauth-toolkit's `cleartokens`, simplejwt's `flushexpiredtokens`
/// and django-axes' `axes_reset_logs` (from PyPI, `Frameworks/install.sh`)
/// on one copy of a database their migrations made and their models
/// filled, `cleanup-auth` with their presets on another, in the same
/// wall-clock second: every table must be left row for row the same, and
/// the apps must accept the same tokens on both.
@Suite("auth presets against the Django apps' own purge commands", .serialized)
struct DjangoAuthPresetTests {
    static let driver = DriverFramework(
        name: "django-oauth-toolkit, simplejwt and django-axes", preset: .django,
        command: ["python3", "\(DriverFramework.directory)/django/auth_driver.py"])
    static let oracle = AuthPresetOracle(
        driver: driver, presets: "django-oauth-toolkit,simplejwt,django-axes",
        tables: [
            "oauth2_provider_refreshtoken", "oauth2_provider_accesstoken", "oauth2_provider_idtoken", "oauth2_provider_grant",
            "oauth2_provider_application", "token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken", "axes_accesslog",
            "axes_accessattempt", "axes_accessfailurelog",
        ])

    @Test(
        "cleanup-auth leaves every table exactly as the apps' own commands do, at both sides of every boundary, in a database TimeZone 14 hours from UTC, and the apps accept the same tokens"
    )
    func sameRowsAsTheApps() throws {
        let outcome = try Self.oracle.compare("auth_django")
        #expect(outcome.authsweep.status == 0, "\(outcome.authsweep.stderr)")
        for table in Self.oracle.tables {
            #expect(outcome.keptByAuthSweep[table] == outcome.keptByFramework[table], "\(table)")
        }
        // Not vacuous: each cleaned table lost rows, and some stay.
        for table in [
            "oauth2_provider_refreshtoken", "oauth2_provider_accesstoken", "oauth2_provider_idtoken", "oauth2_provider_grant",
            "token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken", "axes_accesslog",
        ] {
            let (had, kept) = (outcome.before[table]?.count ?? 0, outcome.keptByFramework[table]?.count ?? 0)
            #expect(kept < had && kept > 0, "\(table): \(had) rows, \(kept) kept")
        }
        // The answer counts what left each preset's tables.
        #expect(Set(outcome.deletedByPreset.keys) == ["django-oauth-toolkit", "simplejwt", "django-axes"], "\(outcome.authsweep.stdout)")
        for (preset, tables) in outcome.deletedByPreset {
            for (table, deleted) in tables {
                #expect(deleted == (outcome.before[table]?.count ?? 0) - (outcome.keptByAuthSweep[table]?.count ?? 0), "\(preset) \(table)")
            }
        }
        // The contract's own tables are not in this database: with presets
        // and auth.enabled left to auto they are neither cleaned nor missed.
        #expect(outcome.authsweep.stdout.contains(#""loginAttempts":0"#), "\(outcome.authsweep.stdout)")
        // The apps accept the same tokens on both copies, the long-lived
        // ones among them, and still refuse a blacklisted one.
        let accepted = AuthPresetOracle.farFromNow(outcome.acceptedAfterAuthSweep)
        #expect(accepted == AuthPresetOracle.farFromNow(outcome.acceptedAfterFramework))
        for name in ["access_p3600", "access_refreshable_p3600", "refresh_live_m31536000", "code_p3600", "jwt_p86400"] {
            #expect(accepted.contains(name), "\(name): \(accepted.sorted())")
        }
        #expect(!accepted.contains("jwt_blacklisted_p86400"), "\(accepted.sorted())")
    }

    @Test("check names the Django apps' presets it finds, and what each needs granted: UPDATE where a reference is cleared")
    func checkNamesPresetsAndGrants() throws {
        let database = try TestDatabase.empty("auth_django_check")
        try DriverFramework.Driver(Self.driver, database).call("migrate")
        let unset = try authsweep(["check"], database: database, environment: ["CRON_SECRET": "framework-test-secret-0123456789"])
        #expect(
            unset.stdout.contains("the database has the tables of the auth presets django-oauth-toolkit, simplejwt, django-axes"),
            "\(unset.stdout)")
        let role = "authsweep_auth_worker"
        try database.execute(
            """
            DO $$ BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT SELECT, DELETE ON oauth2_provider_refreshtoken, oauth2_provider_accesstoken, oauth2_provider_idtoken,
                oauth2_provider_grant, token_blacklist_outstandingtoken TO \(role);
            """)
        let set = try authsweep(
            ["check"], database: nil,
            environment: [
                "DATABASE_URL": database.connectionString(user: role), "AUTHSWEEP_AUTH_PRESETS": "django-oauth-toolkit,simplejwt",
                "CRON_SECRET": "framework-test-secret-0123456789",
            ])
        #expect(set.stdout.contains("auth preset django-oauth-toolkit cleans oauth2_provider_refreshtoken"), "\(set.stdout)")
        #expect(set.stdout.contains(#"GRANT UPDATE ON "oauth2_provider_accesstoken" TO"#), "\(set.stdout)")
        #expect(set.stdout.contains(#"GRANT SELECT, DELETE ON "token_blacklist_blacklistedtoken" TO"#), "\(set.stdout)")
    }
}
