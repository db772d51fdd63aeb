/// One request's FastCGI parameters, copied out of libfcgi so that no C
/// pointer outlives the request.
public struct FastCGIRequest: Sendable {
    /// Parameters in the order the web server sent them; a name may repeat.
    public let parameters: [(name: String, value: [UInt8])]

    public init(parameters: [(name: String, value: [UInt8])]) {
        self.parameters = parameters
    }

    /// Builds a request from text values; handy for tests and tools.
    public init(_ parameters: KeyValuePairs<String, String>) {
        self.parameters = parameters.map { ($0.key, Array($0.value.utf8)) }
    }

    /// Every raw value sent under `name`.
    public func values(_ name: String) -> [[UInt8]] {
        parameters.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The value sent under `name`, as text (invalid UTF-8 repaired). When
    /// nginx sends a name twice (a `fastcgi_param` after `include
    /// fastcgi_params`), the later one wins, as in PHP-FPM.
    public subscript(_ name: String) -> String? {
        values(name).last.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `REQUEST_METHOD`, empty when missing.
    public var method: String { self["REQUEST_METHOD"] ?? "" }

    /// The request path without its query string: `REQUEST_URI` as sent
    /// (not decoded), else `DOCUMENT_URI`, else `SCRIPT_NAME` + `PATH_INFO`.
    public var path: String {
        if let uri = self["REQUEST_URI"], !uri.isEmpty {
            return String(uri.prefix { $0 != "?" && $0 != "#" })
        }
        if let documentURI = self["DOCUMENT_URI"], !documentURI.isEmpty {
            return documentURI
        }
        return (self["SCRIPT_NAME"] ?? "") + (self["PATH_INFO"] ?? "")
    }
}
