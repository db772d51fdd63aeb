#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An IANA time zone name, checked against this host's time zone database
/// (the configuration's `zoneDirectory`: `TZDIR`, else /usr/share/zoneinfo).
/// A host without one accepts any well-formed name, and the database
/// server then checks it.
enum TimeZoneName {
    static func isKnown(_ name: String, in directory: String) -> Bool {
        if name == "UTC" { return true }
        let wellFormed =
            !name.isEmpty && name.utf8.count <= 64 && !name.hasPrefix("/")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_-+".contains($0)) }
            && !name.split(separator: "/").contains { $0 == ".." || $0 == "." }
        guard wellFormed else { return false }
        var info = stat()
        guard stat(directory, &info) == 0 else { return true }
        // A zone is a file (a folder such as "America" is none).
        return stat(directory + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }
}
