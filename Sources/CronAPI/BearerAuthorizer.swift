/// Checks `Authorization: Bearer <token>` against the configured secrets.
public struct BearerAuthorizer: Sendable {
    private let secrets: [[UInt8]]

    /// `secrets`: the current secret and, during a rotation, the previous one.
    public init(secrets: [[UInt8]]) {
        self.secrets = secrets.filter { !$0.isEmpty }
    }

    /// True when exactly one Authorization header was sent and its token
    /// equals one of the secrets. Every secret is compared, in constant time,
    /// so the answer's timing says nothing about which bytes matched.
    public func isAuthorized(headerValues: [[UInt8]]) -> Bool {
        guard headerValues.count == 1, let token = Self.bearerToken(in: headerValues[0]) else { return false }
        var matched = false
        for secret in secrets {
            matched = Self.constantTimeEquals(token, secret) || matched
        }
        return matched
    }

    /// The token of a `Bearer` credential: the scheme name in any case, then
    /// exactly one space, then a non-empty token. `nil` for anything else.
    public static func bearerToken(in header: [UInt8]) -> ArraySlice<UInt8>? {
        let scheme = Array("bearer".utf8)
        guard header.count > scheme.count + 1 else { return nil }
        for (index, expected) in scheme.enumerated() where asciiLowercased(header[index]) != expected {
            return nil
        }
        guard header[scheme.count] == UInt8(ascii: " ") else { return nil }
        let token = header[(scheme.count + 1)...]
        return token.first == UInt8(ascii: " ") ? nil : token
    }

    /// Compares every byte of the longer input whatever the contents, so the
    /// time taken does not depend on where the inputs first differ.
    static func constantTimeEquals(_ lhs: ArraySlice<UInt8>, _ rhs: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: lhs.count ^ rhs.count)
        let length = max(lhs.count, rhs.count)
        var lhsIndex = lhs.startIndex
        for offset in 0..<length {
            let left: UInt8 = offset < lhs.count ? lhs[lhsIndex] : 0
            let right: UInt8 = offset < rhs.count ? rhs[offset] : 0
            difference |= UInt(left ^ right)
            if offset < lhs.count { lhsIndex += 1 }
        }
        return difference == 0
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 65 && byte <= 90) ? byte + 32 : byte
    }
}
