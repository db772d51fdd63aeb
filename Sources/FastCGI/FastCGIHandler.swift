/// Answers one request at a time on the responder thread that made it.
///
/// Each responder thread gets its own handler, so a handler may own state
/// that is not thread-safe (a database connection).
public protocol FastCGIHandler: AnyObject {
    func handle(_ request: FastCGIRequest) -> FastCGIResponse
}
