import Testing

@testable import FastCGI

/// Records as a web server would send them (FastCGI 1.0 specification).
private enum Records {
    static func record(_ type: UInt8, id: UInt16 = 1, _ content: [UInt8], padding: Int = 0) -> [UInt8] {
        [1, type, UInt8(id >> 8), UInt8(id & 0xff), UInt8(content.count >> 8), UInt8(content.count & 0xff), UInt8(padding), 0]
            + content + [UInt8](repeating: 0, count: padding)
    }

    static func length(_ value: Int) -> [UInt8] {
        value < 128 ? [UInt8(value)] : [UInt8(value >> 24) | 0x80, UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    static func pair(_ name: String, _ value: String) -> [UInt8] {
        length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
    }

    static func begin(id: UInt16 = 1, keep: Bool = false, role: UInt8 = 1) -> [UInt8] {
        record(1, id: id, [0, role, keep ? 1 : 0, 0, 0, 0, 0, 0])
    }

    static let parameters = pair("REQUEST_METHOD", "GET") + pair("REQUEST_URI", "/api/cron/health")

    static func request(id: UInt16 = 1, keep: Bool = false, body: [UInt8] = []) -> [UInt8] {
        begin(id: id, keep: keep) + record(4, id: id, parameters, padding: 3) + record(4, id: id, [])
            + (body.isEmpty ? [] : record(5, id: id, body)) + record(5, id: id, [])
    }
}

@Suite("the request framer in front of libfcgi")
struct RequestFramerTests {
    func outcomes(_ bytes: [UInt8], limits: FastCGILimits = .default, chunk: Int = .max) -> [RequestFramer.Outcome] {
        var framer = RequestFramer(limits: limits)
        var results: [RequestFramer.Outcome] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            bytes[start..<end].withUnsafeBytes { framer.append($0) }
            start = end
            while true {
                let outcome = framer.next()
                if case .needMore = outcome { break }
                results.append(outcome)
                if case .rejected = outcome { return results }
            }
        }
        return results
    }

    func requests(_ outcomes: [RequestFramer.Outcome]) -> [RequestFramer.Request] {
        outcomes.compactMap { if case .request(let request) = $0 { request } else { nil } }
    }

    func rejection(_ outcomes: [RequestFramer.Outcome]) -> FastCGIRejection? {
        outcomes.compactMap { if case .rejected(let rejection) = $0 { rejection } else { nil } }.first
    }

    @Test("a request arriving in any pieces gives the same checked records: keep-alive forced, padding and body dropped")
    func anySplit() throws {
        let bytes = Records.request(keep: false, body: Array("ignored".utf8))
        let expected =
            Records.begin(keep: true) + Records.record(4, Records.parameters) + Records.record(4, []) + Records.record(5, [])
        for chunk in [1, 2, 3, 7, 8, 9, bytes.count] {
            let found = requests(outcomes(bytes, chunk: chunk))
            #expect(found.count == 1)
            #expect(found.first?.records == expected, "in pieces of \(chunk)")
            #expect(found.first?.keepConnection == false)
        }
    }

    @Test("pipelined requests come out one by one, each with its own keep-alive choice")
    func pipelined() {
        let found = requests(outcomes(Records.request(id: 1, keep: true) + Records.request(id: 2, keep: false) + Records.request(id: 3, keep: true)))
        #expect(found.map(\.keepConnection) == [true, false, true])
    }

    @Test(
        "declared lengths beyond the limit are refused from the length bytes alone",
        arguments: [(0x3fff_ffff, 0x3fff_ffff), (0x7fff_ffff, 0x7fff_ffff), (0x3fff_fffe, 0x3fff_fffe), (0x7fff_ffff, 1)])
    func declaredLengths(name: Int, value: Int) {
        // The report's bytes: no name or value, no end of the stream.
        let attack = Records.begin() + Records.record(4, Records.length(name) + Records.length(value))
        #expect(rejection(outcomes(attack)) == .parametersTooLarge)
        // Also when the record header declares more content than arrives.
        let partial = Records.begin() + Array(Records.record(4, Records.length(name) + Records.length(value) + [1, 2, 3]).dropLast(2))
        #expect(rejection(outcomes(partial)) == .parametersTooLarge)
    }

    @Test("a pair's lengths split across two records are still checked")
    func lengthsAcrossRecords() {
        let lengths = Records.length(0x4000_0000) + Records.length(5)
        let bytes = Records.begin() + Records.record(4, Array(lengths.prefix(2))) + Records.record(4, Array(lengths.dropFirst(2)))
        #expect(rejection(outcomes(bytes)) == .parametersTooLarge)
    }

    @Test("the total and the count of parameters are limited")
    func limits() {
        let limits = FastCGILimits(parameterBytes: 4_096, parameterCount: 64)
        let many = (0..<65).flatMap { Records.pair("N\($0)", "v") }
        #expect(rejection(outcomes(Records.begin() + Records.record(4, many), limits: limits)) == .tooManyParameters)
        let large = Records.pair("N", String(repeating: "v", count: 5_000))
        #expect(rejection(outcomes(Records.begin() + Records.record(4, large), limits: limits)) == .parametersTooLarge)
        let fits = Records.pair("N", String(repeating: "v", count: 4_000))
        #expect(requests(outcomes(Records.begin() + Records.record(4, fits) + Records.record(4, []) + Records.record(5, []), limits: limits)).count == 1)
    }

    @Test("tiny records are merged, so what reaches libfcgi stays within the limit")
    func tinyRecordsMerged() throws {
        let parameters = Array((0..<500).flatMap { Records.pair("HTTP_X_\($0)", "value") })
        let tiny = parameters.map { Records.record(4, [$0]) }.joined()
        let found = try #require(requests(outcomes(Records.begin() + Array(tiny) + Records.record(4, []) + Records.record(5, []))).first)
        #expect(found.records == Records.begin(keep: true) + Records.record(4, parameters) + Records.record(4, []) + Records.record(5, []))
        #expect(found.records.count <= FastCGILimits.default.requestBytes)
    }

    @Test(
        "records a responder does not take are refused",
        arguments: [
            (Records.record(9, id: 0, Records.pair("FCGI_MAX_CONNS", "")), FastCGIRejection.unexpectedRecord),  // management (GET_VALUES)
            (Records.record(1, id: 0, [0, 1, 0, 0, 0, 0, 0, 0]), .unexpectedRecord),  // a begin record with the management id
            (Records.record(4, Records.parameters), .unexpectedRecord),  // parameters before the begin record
            (Records.begin(role: 2), .unsupportedRole),  // authorizer
            (Records.record(1, [0, 1, 0]), .malformedRecord),  // a short begin record
            ([2] + Array(Records.begin().dropFirst()), .malformedRecord),  // version 2
            (Records.begin() + Records.begin(id: 2), .unexpectedRecord),  // multiplexing
            (Records.begin() + Records.record(2, []), .unexpectedRecord),  // abort
            (Records.begin() + Records.record(5, []), .unexpectedRecord),  // body before the end of the parameters
            (Records.begin() + Records.record(4, [5, 5, 1, 2]) + Records.record(4, []), .malformedRecord),  // stream ends inside a pair
            (Records.begin() + Records.record(4, []) + Records.record(8, []), .unexpectedRecord),  // data records
        ])
    func refusedRecords(bytes: [UInt8], expected: FastCGIRejection) {
        #expect(rejection(outcomes(bytes)) == expected)
    }

    @Test("a request's records are buffered until it is whole; bytes of the next stay for later")
    func pendingBytes() {
        var framer = RequestFramer(limits: .default)
        #expect(!framer.hasPendingBytes)
        let bytes = Records.request() + Array(Records.request().prefix(5))
        bytes.withUnsafeBytes { framer.append($0) }
        guard case .request = framer.next() else {
            Issue.record("the first request is whole")
            return
        }
        #expect(framer.hasPendingBytes, "five bytes of the next request")
        guard case .needMore = framer.next() else {
            Issue.record("the second is not")
            return
        }
    }
}
