internal import CCurl

/// One small HTTP request with libcurl, for monitoring pings: the handle is
/// made, used and freed inside `send`, and no pointer outlives the call.
/// libcurl is loaded by the first request (see `authsweep_curl.h`).
public enum HTTPPing {
    /// Why a request got no 2xx answer.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Sends `method` to `url` (`GET`, or `POST` with `body` as JSON) and
    /// waits at most `timeoutMilliseconds` for the whole exchange; the
    /// answer's body is read and dropped. Only http and https, no redirects.
    public static func send(method: String, url: String, body: [UInt8] = [], timeoutMilliseconds: Int) throws(Failure) {
        guard authsweep_curl_load() == 1 else { throw Failure(description: String(cString: authsweep_curl_load_error())) }
        guard let handle = authsweep_curl_easy_init() else { throw Failure(description: "libcurl could not make a handle") }
        defer { authsweep_curl_easy_cleanup(handle) }
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { authsweep_curl_slist_free_all(headers) }
        var settings: [CURLcode] = [
            authsweep_curl_set_string(handle, CURLOPT_URL, url),
            authsweep_curl_set_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds),
            authsweep_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, timeoutMilliseconds),
            // No signals: a worker's threads run it.
            authsweep_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            authsweep_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            authsweep_curl_allow_http_only(handle),
            authsweep_curl_set_string(handle, CURLOPT_USERAGENT, "authsweep"),
            authsweep_curl_discard_body(handle),
        ]
        if method == "POST" {
            headers = authsweep_curl_slist_append(headers, "Content-Type: application/json")
            settings.append(authsweep_curl_set_list(handle, CURLOPT_HTTPHEADER, headers))
            settings.append(authsweep_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            // COPYPOSTFIELDS: libcurl keeps a copy, so no pointer of ours outlives this call.
            let text = body.map { CChar(bitPattern: $0) } + [0]
            settings.append(text.withUnsafeBufferPointer { authsweep_curl_set_string(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
        }
        if let failed = settings.first(where: { $0 != CURLE_OK }) {
            throw Failure(description: String(cString: authsweep_curl_easy_strerror(failed)))
        }
        let code = authsweep_curl_easy_perform(handle)
        guard code == CURLE_OK else { throw Failure(description: String(cString: authsweep_curl_easy_strerror(code))) }
        var status = 0
        _ = authsweep_curl_get_response_code(handle, &status)
        guard (200..<300).contains(status) else { throw Failure(description: "HTTP status \(status)") }
    }
}
