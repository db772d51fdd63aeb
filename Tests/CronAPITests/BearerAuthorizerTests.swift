import Testing

@testable import AuthSweep
@_spi(ForTesting) @testable import CronAPI

@Suite("Authorization header")
struct BearerAuthorizerTests {
    let secret = Array("s3cret-value-0123456789".utf8)
    let previous = Array("old-secret-abcdefghijkl".utf8)
    var authorizer: BearerAuthorizer { BearerAuthorizer(secrets: [secret, previous]) }

    func header(_ text: String) -> [[UInt8]] { [Array(text.utf8)] }

    @Test("a read-only token gives read-only access, never full; a secret gives full access")
    func accessLevels() {
        let metrics = Array("metrics-token-0123456789".utf8)
        let both = BearerAuthorizer(secrets: [secret], readOnlyTokens: [metrics])
        #expect(both.access(headerValues: header("Bearer metrics-token-0123456789")) == .readOnly)
        #expect(!both.isAuthorized(headerValues: header("Bearer metrics-token-0123456789")))
        #expect(both.access(headerValues: header("Bearer s3cret-value-0123456789")) == .full)
        #expect(both.access(headerValues: header("Bearer metrics-token-012345678")) == .denied)
        #expect(authorizer.access(headerValues: header("Bearer metrics-token-0123456789")) == .denied, "no token configured, none accepted")
    }

    @Test("the exact secret after 'Bearer ' is accepted")
    func acceptsExactSecret() {
        #expect(authorizer.isAuthorized(headerValues: header("Bearer s3cret-value-0123456789")))
    }

    @Test("the scheme name matches in any case", arguments: ["bearer", "BEARER", "BeArEr"])
    func schemeIsCaseInsensitive(scheme: String) {
        #expect(authorizer.isAuthorized(headerValues: header("\(scheme) s3cret-value-0123456789")))
    }

    @Test("the previous secret is accepted during a rotation")
    func acceptsPreviousSecret() {
        #expect(authorizer.isAuthorized(headerValues: header("Bearer old-secret-abcdefghijkl")))
    }

    @Test(
        "anything but the exact secret is refused",
        arguments: [
            "Bearer s3cret-value-012345678",  // one byte short
            "Bearer s3cret-value-01234567890",  // one byte long
            "Bearer s3cret-value-012345678X",  // last byte differs
            "Bearer  s3cret-value-0123456789",  // two spaces
            "Bearer\ts3cret-value-0123456789",  // tab instead of space
            "Bearers3cret-value-0123456789",  // no space
            "Basic s3cret-value-0123456789",  // other scheme
            "s3cret-value-0123456789",  // no scheme
            "Bearer ",  // empty token
            "Bearer",
            "",
            "Token s3cret-value-0123456789",
            "Bearer S3CRET-VALUE-0123456789",  // token is case-sensitive
        ])
    func refusesEverythingElse(value: String) {
        #expect(!authorizer.isAuthorized(headerValues: header(value)))
    }

    @Test("no header, or the header sent twice, is refused")
    func refusesMissingOrRepeatedHeader() {
        #expect(!authorizer.isAuthorized(headerValues: []))
        let good = Array("Bearer s3cret-value-0123456789".utf8)
        #expect(!authorizer.isAuthorized(headerValues: [good, good]))
    }

    @Test("bytes that are not UTF-8 never match")
    func refusesInvalidUTF8() {
        var value = Array("Bearer s3cret-value-012345678".utf8)
        value.append(0xFF)
        #expect(!authorizer.isAuthorized(headerValues: [value]))
    }

    @Test("an empty configured secret never authenticates an empty token")
    func emptySecretNeverMatches() {
        let empty = BearerAuthorizer(secrets: [[]])
        #expect(!empty.isAuthorized(headerValues: header("Bearer ")))
        #expect(!empty.isAuthorized(headerValues: header("Bearer x")))
    }

    @Test("the comparison reports equality only for identical bytes")
    func constantTimeEquality() {
        #expect(BearerAuthorizer.constantTimeEquals(ArraySlice([1, 2, 3]), [1, 2, 3]))
        #expect(!BearerAuthorizer.constantTimeEquals(ArraySlice([1, 2, 3]), [1, 2, 4]))
        #expect(!BearerAuthorizer.constantTimeEquals(ArraySlice([1, 2]), [1, 2, 0]))
        #expect(!BearerAuthorizer.constantTimeEquals(ArraySlice([1, 2, 0]), [1, 2]))
        #expect(BearerAuthorizer.constantTimeEquals(ArraySlice([]), []))
    }
}
