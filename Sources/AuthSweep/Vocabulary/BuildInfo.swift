/// What this build is, for `--version` and `authsweep_build_info`.
public enum BuildInfo {
    /// From `git describe` at build time (the BuildVersion plugin): the
    /// latest tag without its `v`, then the commits since it and the commit,
    /// as in `0.2.0-3-g1a2b3c4`; `-dirty` when built with local changes.
    public static let version = buildVersion
}
