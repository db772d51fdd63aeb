import Foundation
import Postgres
import TestSupport
import Testing

/// The supabase preset against Supabase Auth's own cleanup, which cannot
/// run here (GoTrue is a Go service): its schema from its migrations
/// (`Upstream/supabase-auth.sql`) and its cleanup statements verbatim
/// (`Upstream/supabase-cleanup.sql`), with their provenance. One copy of a
/// database is cleaned by those statements (and by the audit log retention
/// authsweep adds, as documented), the other by `cleanup-auth`, in the same
/// second; every table must be left row for row the same, and the refresh
/// tokens GoTrue would accept must be the same.
@Suite("the supabase preset against GoTrue's own cleanup statements", .serialized)
struct SupabaseAuthPresetTests {
    static let upstream = PackagePaths.root + "/Tests/FrameworkTests/Upstream/"
    static let tables = [
        "auth.users", "auth.sessions", "auth.refresh_tokens", "auth.mfa_amr_claims", "auth.flow_state", "auth.saml_relay_states",
        "auth.sso_providers", "auth.oauth_client_states", "auth.mfa_factors", "auth.mfa_challenges", "auth.webauthn_challenges",
        "auth.audit_log_entries",
    ]
    static let offsets = [-86_400, -3_600, -60, -3, -2, -1, 0, 1, 2, 3, 60, 3_600, 86_400]

    /// Rows at each offset from `t0`, each placed so that its rule's
    /// boundary falls at `t0 + offset`; the names say what each is.
    static func rows(t0: Int) -> String {
        let offsets = offsets.map(String.init).joined(separator: ",")
        return """
            INSERT INTO auth.users (instance_id, id, email, created_at, updated_at)
            VALUES ('00000000-0000-0000-0000-000000000000', '11111111-1111-1111-1111-111111111111', 'one@example.com', now(), now());
            INSERT INTO auth.sso_providers (id, resource_id) VALUES ('22222222-2222-2222-2222-222222222222', 'idp');
            CREATE TEMPORARY TABLE o AS
                SELECT k, to_timestamp(\(t0) + k) AS t, (CASE WHEN k < 0 THEN 'm' ELSE 'p' END) || abs(k) AS n FROM unnest(ARRAY[\(offsets)]) k;
            -- A SAML session 72 hours past not_after at the offset, with its live
            -- token and AMR claim (both go with it), and one without not_after.
            INSERT INTO auth.sessions (id, user_id, created_at, updated_at, not_after)
                SELECT md5('saml' || n)::uuid, '11111111-1111-1111-1111-111111111111'::uuid, t - interval '80 hours', t - interval '80 hours', t - interval '72 hours' FROM o
                UNION ALL
                SELECT md5('plain' || n)::uuid, '11111111-1111-1111-1111-111111111111'::uuid, t - interval '30 days', t - interval '30 days', NULL FROM o;
            INSERT INTO auth.mfa_amr_claims (session_id, created_at, updated_at, authentication_method, id)
                SELECT md5('saml' || n)::uuid, t, t, 'sso/saml', md5('amr' || n)::uuid FROM o;
            -- In each session: a token revoked and last updated 24 hours before the
            -- offset, the live token rotated from it.
            INSERT INTO auth.refresh_tokens (instance_id, "token", user_id, revoked, created_at, updated_at, parent, session_id)
                SELECT '00000000-0000-0000-0000-000000000000'::uuid, kind || '_revoked_' || n, '11111111-1111-1111-1111-111111111111', true,
                       t - interval '25 hours', t - interval '24 hours', NULL, md5(kind || n)::uuid
                FROM o, unnest(ARRAY['saml', 'plain']) kind
                UNION ALL
                SELECT '00000000-0000-0000-0000-000000000000'::uuid, kind || '_live_' || n, '11111111-1111-1111-1111-111111111111', false,
                       t - interval '24 hours', t - interval '24 hours', kind || '_revoked_' || n, md5(kind || n)::uuid
                FROM o, unnest(ARRAY['saml', 'plain']) kind;
            INSERT INTO auth.flow_state (id, provider_type, authentication_method, created_at, updated_at)
                SELECT md5('flow' || n)::uuid, 'google', 'oauth', t - interval '24 hours', t - interval '24 hours' FROM o;
            INSERT INTO auth.saml_relay_states (id, sso_provider_id, request_id, created_at, updated_at)
                SELECT md5('relay' || n)::uuid, '22222222-2222-2222-2222-222222222222', 'request-' || n, t - interval '24 hours', t - interval '24 hours' FROM o;
            INSERT INTO auth.oauth_client_states (id, provider_type, created_at)
                SELECT md5('client' || n)::uuid, 'google', t - interval '24 hours' FROM o;
            -- Factors created 24 hours before the offset, unverified and verified,
            -- each with a challenge of the same age.
            INSERT INTO auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at)
                SELECT md5(status || n)::uuid, '11111111-1111-1111-1111-111111111111', status || '_' || n, 'totp', status::auth.factor_status,
                       t - interval '24 hours', t - interval '24 hours'
                FROM o, unnest(ARRAY['unverified', 'verified']) status;
            INSERT INTO auth.mfa_challenges (id, factor_id, created_at, ip_address)
                SELECT md5('challenge' || status || n)::uuid, md5(status || n)::uuid, t - interval '24 hours', '127.0.0.1'::inet FROM o, unnest(ARRAY['unverified', 'verified']) status;
            INSERT INTO auth.webauthn_challenges (user_id, challenge_type, session_data, expires_at)
                SELECT '11111111-1111-1111-1111-111111111111', 'authentication', jsonb_build_object('n', n), t FROM o;
            INSERT INTO auth.audit_log_entries (instance_id, id, payload, created_at)
                SELECT '00000000-0000-0000-0000-000000000000', md5('audit' || n)::uuid, json_build_object('n', n), t - interval '90 days' FROM o;
            """
    }

    /// GoTrue's statements, each run until it deletes nothing, and the
    /// audit log retention authsweep documents (90 days of 24 hours).
    static func cleanLikeGoTrue(_ database: TestDatabase) throws {
        let connection = try database.connect()
        let statements = try String(contentsOfFile: upstream + "supabase-cleanup.sql", encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("DELETE") }.map(String.init)
        #expect(statements.count == 8)
        for statement in statements + ["DELETE FROM auth.audit_log_entries WHERE created_at < now() - make_interval(secs => 7776000)"] {
            while try connection.query(SQLQuery(unsafeSQL: statement)).affectedRows > 0 {}
        }
    }

    /// The refresh tokens GoTrue's RefreshTokenGrant accepts now, at its
    /// defaults (internal/tokens/service.go, internal/models/sessions.go).
    static func accepted(in database: TestDatabase) throws -> Set<String> {
        let rows = try database.connect().query(
            """
            SELECT rt."token" FROM auth.refresh_tokens rt
            JOIN auth.sessions s ON s.id = rt.session_id
            JOIN auth.users u ON u.id::text = rt.user_id AND u.instance_id = '00000000-0000-0000-0000-000000000000'
            WHERE (u.banned_until IS NULL OR u.banned_until <= now())
              AND (s.not_after IS NULL OR now() <= s.not_after)
              AND (rt.revoked IS FALSE
                   OR rt."token" = (SELECT a.parent FROM auth.refresh_tokens a WHERE a.session_id = s.id AND a.revoked IS FALSE ORDER BY a.id DESC LIMIT 1))
            """
        ).rows
        return Set(rows.compactMap { $0.first ?? nil })
    }

    @Test(
        "cleanup-auth leaves the auth schema exactly as GoTrue's cleanup (and the documented audit retention) does, at both sides of every boundary, in a database TimeZone 14 hours from UTC"
    )
    func sameRowsAsGoTrue() throws {
        var lead = 6
        for attempt in 1...4 {
            let t0 = Int(Date().timeIntervalSince1970) + lead
            let zone = FrameworkOracle.databaseTimeZone
            let pristine = try TestDatabase.empty("auth_supabase", timeZone: zone)
            try pristine.execute(try String(contentsOfFile: Self.upstream + "supabase-auth.sql", encoding: .utf8))
            try pristine.execute(Self.rows(t0: t0))
            let before = try AuthPresetOracle.rows(of: pristine, tables: Self.tables)
            let goTrueCopy = try TestDatabase.empty("auth_supabase_gotrue", copying: pristine, timeZone: zone)
            let authsweepCopy = try TestDatabase.empty("auth_supabase_authsweep", copying: pristine, timeZone: zone)
            FrameworkOracle.waitForSecond(t0)
            let started = Date().timeIntervalSince1970
            try Self.cleanLikeGoTrue(goTrueCopy)
            let run = try authsweep(["cleanup-auth", "--json"], database: authsweepCopy, environment: ["AUTHSWEEP_AUTH_PRESETS": "supabase"])
            let ended = Date().timeIntervalSince1970
            let second = Int(floor(started))
            guard floor(started) == floor(ended), second - t0 <= 2 else {
                if attempt == 4 { throw TestSetupError("the two cleanups took \(ended - started) s, \(second - t0) s after t0, 4 times") }
                lead += max(0, second - t0)
                continue
            }
            #expect(run.status == 0, "\(run.stderr)")
            let keptByGoTrue = try AuthPresetOracle.rows(of: goTrueCopy, tables: Self.tables)
            let keptByAuthSweep = try AuthPresetOracle.rows(of: authsweepCopy, tables: Self.tables)
            for table in Self.tables {
                #expect(keptByAuthSweep[table] == keptByGoTrue[table], "\(table)")
            }
            for table in Self.tables where !["auth.users", "auth.sso_providers"].contains(table) {
                let (had, kept) = (before[table]?.count ?? 0, keptByGoTrue[table]?.count ?? 0)
                #expect(kept < had && kept > 0, "\(table): \(had) rows, \(kept) kept")
            }
            #expect(run.stdout.contains(#""presets":{"supabase":{"auth.refresh_tokens":"#), "\(run.stdout)")
            let accepted = try Self.accepted(in: authsweepCopy)
            #expect(accepted == (try Self.accepted(in: goTrueCopy)))
            #expect(accepted.isSuperset(of: ["plain_live_m86400", "plain_revoked_p3600", "plain_live_p86400"]), "\(accepted.sorted())")
            return
        }
    }
}
