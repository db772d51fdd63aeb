/// What this build is, for `--version` and `authsweep_build_info`.
public enum BuildInfo {
    public static let version = "0.1.0"
}
