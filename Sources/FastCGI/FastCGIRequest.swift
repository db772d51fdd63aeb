#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One request's FastCGI parameters, copied out of libfcgi so that no C
/// pointer outlives the request.
///
/// The names and values are kept as bytes in one buffer, and only the few
/// that are asked for become strings: a request from nginx carries about
/// 20 parameters, and making two arrays or strings for each was most of the
/// work of answering a 401.
public struct FastCGIRequest: Sendable {
    private var bytes: [UInt8] = []
    private var entries: [(name: Range<Int>, value: Range<Int>)] = []

    /// Builds a request from `NAME=value` entries as libfcgi holds them.
    init(environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard var entry = environment else { return }
        while let pointer = entry.pointee {
            let text = UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
            if let equals = text.firstIndex(of: UInt8(ascii: "=")) {
                append(name: text[..<equals], value: text[(equals + 1)...])
            }
            entry += 1
        }
    }

    mutating func append(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        let nameStart = bytes.count
        bytes.append(contentsOf: name)
        let valueStart = bytes.count
        bytes.append(contentsOf: value)
        entries.append((nameStart..<valueStart, valueStart..<bytes.count))
    }

    /// Every raw value sent under `name`.
    public func values(_ name: String) -> [[UInt8]] {
        entries.compactMap { entry in matches(entry.name, name) ? Array(bytes[entry.value]) : nil }
    }

    /// The value sent under `name`, as text (invalid UTF-8 repaired). When
    /// nginx sends a name twice (a `fastcgi_param` after `include
    /// fastcgi_params`), the later one wins, as in PHP-FPM.
    public subscript(_ name: String) -> String? {
        lastValue(name).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    private func lastValue(_ name: String) -> Range<Int>? {
        entries.last { matches($0.name, name) }?.value
    }

    private func matches(_ range: Range<Int>, _ name: String) -> Bool {
        range.count == name.utf8.count && bytes[range].elementsEqual(name.utf8)
    }

    /// `REQUEST_METHOD`, empty when missing.
    public var method: String { self["REQUEST_METHOD"] ?? "" }

    /// The request path without its query string: `REQUEST_URI` as sent
    /// (not decoded), else `DOCUMENT_URI`, else `SCRIPT_NAME` + `PATH_INFO`.
    public var path: String {
        if let uri = lastValue("REQUEST_URI"), !uri.isEmpty {
            let end = bytes[uri].firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? uri.upperBound
            return String(decoding: bytes[uri.lowerBound..<end], as: UTF8.self)
        }
        if let documentURI = self["DOCUMENT_URI"], !documentURI.isEmpty {
            return documentURI
        }
        return (self["SCRIPT_NAME"] ?? "") + (self["PATH_INFO"] ?? "")
    }
}
