/// Reads FastCGI records as they arrive from a web server, checks each one
/// against what a responder accepts and against the limits, and cuts the
/// stream into whole requests. Only a whole, checked request is handed to
/// libfcgi, so nothing libfcgi parses can be out of bounds or incomplete.
///
/// Accepted, per request: `BEGIN_REQUEST` for the responder role, `PARAMS`
/// records up to an empty one, `STDIN` records up to an empty one, all with
/// the same request id. The request passed on keeps the begin record (with
/// `FCGI_KEEP_CONN` set, so libfcgi never closes its side) and the
/// parameters, in records as full as they can be and without padding (so a
/// peer's tiny records cannot multiply the size); the body is dropped (no endpoint reads one)
/// and only the empty `STDIN` record that ends it is kept. Bytes after the
/// empty `STDIN` record belong to the next request and stay buffered.
///
/// Management records (request id 0, such as `GET_VALUES`) are refused:
/// nginx never sends them, and libfcgi answers `GET_VALUES` by writing one
/// entry per name asked into a 64-byte stack buffer, which a repeated name
/// overflows.
struct RequestFramer {
    /// A request ready for libfcgi.
    struct Request {
        /// Records to feed libfcgi, ending with the empty `STDIN` record.
        let records: [UInt8]
        /// Whether the web server asked to keep the connection open after it.
        let keepConnection: Bool
    }

    enum Outcome {
        case needMore
        case request(Request)
        case rejected(FastCGIRejection)
    }

    private enum Stage {
        case awaitingBegin
        case parameters
        case body
    }

    private let limits: FastCGILimits
    private var received: [UInt8] = []
    /// Where the next unread record starts in `received`.
    private var position = 0
    private var stage = Stage.awaitingBegin
    private var records: [UInt8] = []
    private var parameterContent: [UInt8] = []
    private var requestID: UInt16 = 0
    private var keepConnection = false
    private var parameters: ParameterLengths

    init(limits: FastCGILimits) {
        self.limits = limits
        parameters = ParameterLengths(limits: limits)
    }

    /// Whether any byte of a next request has arrived and is not yet used.
    var hasPendingBytes: Bool {
        position < received.count || stage != .awaitingBegin
    }

    /// Heap bytes this framer holds: the connection's share of the
    /// process's budget for unfinished requests.
    var bufferedBytes: Int {
        received.capacity + records.capacity + parameterContent.capacity
    }

    /// Adds bytes read from the connection.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        received.append(contentsOf: bytes)
    }

    /// The next whole request, if the bytes so far complete one; a
    /// violation as soon as a record shows one.
    mutating func next() -> Outcome {
        defer { compact() }
        while received.count - position >= 8 {
            let header = RecordHeader(received, at: position)
            if let violation = check(header) { return .rejected(violation) }
            let end = position + 8 + header.contentLength + header.paddingLength
            // A parameters record is checked as its bytes arrive, so that a
            // declared length beyond the limit is refused at once.
            if header.type == .params, stage == .parameters {
                let available = min(end, received.count) - (position + 8)
                if let violation = parameters.preview(received[(position + 8)..<(position + 8 + min(available, header.contentLength))]) {
                    return .rejected(violation)
                }
            }
            guard received.count >= end else { return .needMore }
            let content = received[(position + 8)..<(position + 8 + header.contentLength)]
            position = end
            if let outcome = take(header, content) { return outcome }
        }
        return .needMore
    }

    /// Rejects a record that cannot be valid here, from its header alone.
    private func check(_ header: RecordHeader) -> FastCGIRejection? {
        guard header.version == 1 else { return .malformedRecord }
        guard let type = header.type, header.requestID != 0 else { return .unexpectedRecord }
        switch stage {
        case .awaitingBegin:
            guard type == .beginRequest else { return .unexpectedRecord }
            return header.contentLength == 8 ? nil : .malformedRecord
        case .parameters:
            return header.requestID == requestID && type == .params ? nil : .unexpectedRecord
        case .body:
            return header.requestID == requestID && type == .stdin ? nil : .unexpectedRecord
        }
    }

    /// Uses one whole record; returns an outcome when it ends a request or breaks a rule.
    private mutating func take(_ header: RecordHeader, _ content: ArraySlice<UInt8>) -> Outcome? {
        switch stage {
        case .awaitingBegin:
            guard content[content.startIndex] == 0, content[content.startIndex + 1] == 1 else { return .rejected(.unsupportedRole) }
            requestID = header.requestID
            keepConnection = content[content.startIndex + 2] & 1 != 0
            var begin = Array(content)
            begin[2] |= 1
            append(header, begin[...])
            stage = .parameters
        case .parameters:
            if let violation = parameters.consume(content) { return .rejected(violation) }
            parameterContent.append(contentsOf: content)
            if content.isEmpty {
                guard parameters.isAtPairBoundary else { return .rejected(.malformedRecord) }
                var start = 0
                while start < parameterContent.count {
                    let end = min(start + 65_535, parameterContent.count)
                    append(header, parameterContent[start..<end])
                    start = end
                }
                append(header, content)
                parameterContent = []
                stage = .body
            }
        case .body:
            guard content.isEmpty else { return nil }
            append(header, content)
            let request = Request(records: records, keepConnection: keepConnection)
            records = []
            stage = .awaitingBegin
            parameters = ParameterLengths(limits: limits)
            return .request(request)
        }
        return nil
    }

    private mutating func append(_ header: RecordHeader, _ content: ArraySlice<UInt8>) {
        records.append(contentsOf: [
            1, header.rawType,
            UInt8(header.requestID >> 8), UInt8(header.requestID & 0xff),
            UInt8(content.count >> 8), UInt8(content.count & 0xff),
            0, 0,
        ])
        records.append(contentsOf: content)
    }

    /// Drops used bytes once they are a large share of the buffer; an
    /// emptied buffer is released, so that an idle connection holds none.
    private mutating func compact() {
        if position > 0, position == received.count {
            received = []
            position = 0
        } else if position > 0, position >= received.count / 2 {
            received.removeFirst(position)
            position = 0
        }
    }
}
