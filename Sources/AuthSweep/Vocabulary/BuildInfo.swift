/// What this build is, for `--version` and `authsweep_build_info`.
public enum BuildInfo {
    /// From `scripts/version` at build time (the BuildVersion plugin): the
    /// base in VERSION, the commits since it changed and the commit, as in
    /// `0.2.0+42.g1a2b3c4`; `.dirty` when built with local changes.
    public static let version = buildVersion
}
