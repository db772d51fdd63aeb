/// Checks `Authorization: Bearer <token>` against the configured secrets.
public struct BearerAuthorizer: Sendable {
    /// What a request's credential opens.
    public enum Access: Sendable, Equatable {
        case denied
        /// The metrics token: read-only views only.
        case readOnly
        /// A cron secret: everything.
        case full
    }

    private let secrets: [[UInt8]]
    private let readOnlyTokens: [[UInt8]]

    /// - Parameters:
    ///   - secrets: the current secret and, during a rotation, the previous one.
    ///   - readOnlyTokens: the metrics token, if one is configured.
    public init(secrets: [[UInt8]], readOnlyTokens: [[UInt8]] = []) {
        self.secrets = secrets.filter { !$0.isEmpty }
        self.readOnlyTokens = readOnlyTokens.filter { !$0.isEmpty }
    }

    /// What a request presented, as far as authorization cares.
    public enum Credential: Sendable, Equatable {
        /// No Authorization header.
        case missing
        /// Anything but exactly one `Bearer <token>` (another scheme included).
        case malformed
        /// A well-formed token that matches no configured secret or token.
        case mismatch
        case currentSecret
        case previousSecret
        case metricsToken

        public var access: Access {
            switch self {
            case .currentSecret, .previousSecret: .full
            case .metricsToken: .readOnly
            case .missing, .malformed, .mismatch: .denied
            }
        }
    }

    /// Identifies the credential. Every secret and token is compared, in
    /// constant time, so the answer's timing says nothing about which bytes
    /// matched, or which one was close.
    public func credential(headerValues: [[UInt8]]) -> Credential {
        guard !headerValues.isEmpty else { return .missing }
        guard headerValues.count == 1, let token = Self.bearerToken(in: headerValues[0]) else { return .malformed }
        var matched: Credential = .mismatch
        for (index, secret) in secrets.enumerated() where Self.constantTimeEquals(token, secret) {
            matched = index == 0 ? .currentSecret : .previousSecret
        }
        var readOnly = false
        for readOnlyToken in readOnlyTokens {
            readOnly = Self.constantTimeEquals(token, readOnlyToken) || readOnly
        }
        return matched == .mismatch && readOnly ? .metricsToken : matched
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
