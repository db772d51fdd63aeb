import FastCGI
import Testing

@Suite("FastCGI request parameters")
struct FastCGIRequestTests {
    @Test("the path is REQUEST_URI without its query string, as sent")
    func pathWithoutQuery() {
        #expect(FastCGIRequest(["REQUEST_URI": "/api/cron/cleanup-auth?secret=abc"]).path == "/api/cron/cleanup-auth")
        #expect(FastCGIRequest(["REQUEST_URI": "/api/cron/cleanup%2Dauth"]).path == "/api/cron/cleanup%2Dauth")
        #expect(FastCGIRequest(["DOCUMENT_URI": "/api/cron/cleanup-auth"]).path == "/api/cron/cleanup-auth")
        #expect(FastCGIRequest(["SCRIPT_NAME": "/api/cron", "PATH_INFO": "/cleanup-auth"]).path == "/api/cron/cleanup-auth")
    }

    @Test("a repeated parameter keeps every value, in order")
    func repeatedParameter() {
        let request = FastCGIRequest(parameters: [("HTTP_AUTHORIZATION", [1]), ("REQUEST_METHOD", Array("GET".utf8)), ("HTTP_AUTHORIZATION", [2])])
        #expect(request.values("HTTP_AUTHORIZATION") == [[1], [2]])
        let overridden = FastCGIRequest(["REQUEST_URI": "/api/cron/metrics/2", "REQUEST_URI": "/api/cron/metrics"])
        #expect(overridden.path == "/api/cron/metrics", "a later fastcgi_param overrides an earlier one")
        #expect(request.method == "GET")
        #expect(FastCGIRequest([:]).method == "")
    }
}
