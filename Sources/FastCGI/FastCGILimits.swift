/// What one request may carry before the worker refuses it. Checked by the
/// worker's own reader before libfcgi sees a byte: libfcgi trusts the
/// lengths a peer declares (it adds a name's and a value's 31-bit lengths
/// in an `int` and asserts when the allocation fails, aborting the process).
public struct FastCGILimits: Sendable, Equatable {
    /// Most bytes of parameters (names, values and their length fields).
    /// nginx sends the request's headers as parameters: with its default
    /// `large_client_header_buffers 4 8k` at most about 33 KiB in all.
    public var parameterBytes: Int
    /// Most parameters in one request; nginx sends about 20 plus one per header.
    public var parameterCount: Int

    /// Most bytes the unfinished requests of all connections may hold
    /// together (with what the worker read ahead of them); beyond it the
    /// connection whose unfinished request began first is closed. The
    /// connection limit follows from it (`ConnectionTable.bytesPerConnection`).
    public var unfinishedBytes: Int

    public static let defaultUnfinishedBytes = 64 * 1024 * 1024
    public static let `default` = FastCGILimits(parameterBytes: 128 * 1024, parameterCount: 1000)

    public init(parameterBytes: Int, parameterCount: Int, unfinishedBytes: Int = Self.defaultUnfinishedBytes) {
        self.parameterBytes = parameterBytes
        self.parameterCount = parameterCount
        self.unfinishedBytes = unfinishedBytes
    }

    /// The least budget for unfinished requests that these limits allow:
    /// room for four of the largest requests at once, each with a read ahead.
    public var leastUnfinishedBytes: Int {
        4 * (2 * requestBytes + 64 * 1024)
    }

    /// Most bytes one checked request takes on its way to libfcgi: the
    /// parameters in full records, and the begin and end records.
    var requestBytes: Int {
        parameterBytes + (parameterBytes / 65_535 + 1) * 8 + 16 + 8 + 8
    }
}

/// Why the worker closed a web-server connection without an answer.
public enum FastCGIRejection: String, Sendable, CaseIterable {
    /// Not FastCGI version 1 records, or a record whose fields make no sense.
    case malformedRecord = "malformed_record"
    /// A record of the wrong type, request id or order (multiplexing, an
    /// abort, data records) for a responder.
    case unexpectedRecord = "unexpected_record"
    /// A role other than responder (authorizer, filter).
    case unsupportedRole = "unsupported_role"
    /// A declared name or value length, or the parameters in all, beyond the limit.
    case parametersTooLarge = "parameters_too_large"
    /// More parameters than the limit.
    case tooManyParameters = "too_many_parameters"
    /// A request not complete within the read timeout.
    case readTimeout = "read_timeout"
    /// An answer the peer did not take within the timeout.
    case writeTimeout = "write_timeout"
    /// A TCP peer outside `FCGI_WEB_SERVER_ADDRS`.
    case peerNotAllowed = "peer_not_allowed"
    /// The unfinished requests of all connections exceeded the budget, and
    /// this connection's had begun first.
    case overBudget = "unfinished_over_budget"
}
