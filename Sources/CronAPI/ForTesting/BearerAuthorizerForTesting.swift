// Test-only API: the Bearer check's verdict in one word, for its tests and
// the authorization fuzzer. The handler reads the whole credential.

extension BearerAuthorizer {
    /// `.full` or `.readOnly` when exactly one Authorization header was sent
    /// and its token equals a secret or a read-only token.
    @_spi(ForTesting) public func access(headerValues: [[UInt8]]) -> Access {
        credential(headerValues: headerValues).access
    }

    /// True when the credential is a cron secret.
    @_spi(ForTesting) public func isAuthorized(headerValues: [[UInt8]]) -> Bool {
        access(headerValues: headerValues) == .full
    }
}
