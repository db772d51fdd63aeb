internal import CLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The web servers allowed to connect over TCP, from `FCGI_WEB_SERVER_ADDRS`
/// (a comma-separated list of IP addresses, as libfcgi reads it; IPv6 is
/// accepted too). libfcgi applies it only to connections it accepts itself,
/// and the worker accepts its own, so the worker applies it here. Unix
/// socket peers are governed by the socket's file mode instead.
public struct WebServerAddresses: Sendable, Equatable {
    /// Each allowed address, 4 bytes (IPv4) or 16 (IPv6).
    private let addresses: [[UInt8]]

    /// Parses the variable's value; a word that is not an IP address is an error.
    public init(_ list: String) throws(FastCGIError) {
        var addresses: [[UInt8]] = []
        for word in list.split(separator: ",").map({ $0.trimmingSpaces }) where !word.isEmpty {
            if let address = Self.parse(word) {
                addresses.append(address)
            } else {
                throw .unusableAddress("FCGI_WEB_SERVER_ADDRS: '\(word)' is not an IP address")
            }
        }
        guard !addresses.isEmpty else {
            throw .unusableAddress("FCGI_WEB_SERVER_ADDRS is set but lists no address")
        }
        self.addresses = addresses
    }

    /// The list `FCGI_WEB_SERVER_ADDRS` gives in `environment`, nil when it is unset.
    public static func from(environment: [String: String]) throws(FastCGIError) -> WebServerAddresses? {
        guard let value = environment["FCGI_WEB_SERVER_ADDRS"] else { return nil }
        return try WebServerAddresses(value)
    }

    private static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Whether a peer may connect; peers of other families (unix) always may.
    func allows(_ peer: sockaddr_storage) -> Bool {
        var peer = peer
        let bytes: [UInt8]
        switch Int32(peer.ss_family) {
        case AF_INET:
            bytes = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    withUnsafeBytes(of: address.pointee.sin_addr) { Array($0) }
                }
            }
        case AF_INET6:
            let v6 = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    withUnsafeBytes(of: address.pointee.sin6_addr) { Array($0) }
                }
            }
            // An IPv4 peer on a dual-stack socket arrives as ::ffff:a.b.c.d.
            let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
            bytes = Array(v6.prefix(12)) == mappedPrefix ? Array(v6.suffix(4)) : v6
        default:
            return true
        }
        return addresses.contains(bytes)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
