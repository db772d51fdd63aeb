// Test-only API: the configured database URL as `authsweep config` masks
// it, read in one step for the configuration tests.

extension Configuration {
    /// `DATABASE_URL` as libpq reads it, in key=value form, with every
    /// password replaced by `****`.
    @_spi(ForTesting) public var maskedDatabaseURL: String? {
        (database?.connectionString ?? databaseURL).map(Self.masked)
    }
}
