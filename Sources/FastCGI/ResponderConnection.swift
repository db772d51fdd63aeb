internal import CFastCGI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An `FCGX_Request` for one web-server connection at a time; it stays on
/// its responder thread and is freed with it.
final class ResponderConnection {
    private let request: UnsafeMutablePointer<FCGX_Request>
    private let slot: Int
    private let deadlines: ReadDeadlines

    init(slot: Int, deadlines: ReadDeadlines) {
        self.slot = slot
        self.deadlines = deadlines
        request = .allocate(capacity: 1)
        // No listening socket: connections are accepted by the loop and
        // handed over in ipcFd, so libfcgi never accepts one by itself
        // (its retry after a bad request then fails with EBADF at once).
        FCGX_InitRequest(request, -1, 0)
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    /// The web-server connection kept open after the last request, if any.
    var keptDescriptor: Int32? {
        request.pointee.ipcFd >= 0 ? request.pointee.ipcFd : nil
    }

    func dropKeptConnection() {
        FCGX_Free(request, 1)
    }

    /// Reads one request from `socket` (accepted, or kept from the last
    /// request) within the read deadline, and answers it. libfcgi closes
    /// the socket unless the web server asked to keep it; `closeAtOnce`
    /// skips its wait for the web server to close first.
    func serve(socket: Int32, closeAtOnce: Bool, with handler: any FastCGIHandler) {
        request.pointee.ipcFd = socket
        // libfcgi closes a "detached" connection without its half-close wait.
        request.pointee.detached = closeAtOnce ? 1 : 0
        // FCGX_Accept_r first finishes the previous request and would close
        // ipcFd unless that request asked to keep it; the BEGIN_REQUEST
        // record read next sets keepConnection to what this peer asks.
        request.pointee.keepConnection = 1
        deadlines.begin(slot: slot, socket: socket)
        // Negative: the peer sent something that is not a request, went
        // away, or missed the deadline; libfcgi has closed the connection.
        guard FCGX_Accept_r(request) >= 0 else {
            deadlines.end(slot: slot)
            return
        }
        // fcgiapp.h: "DO NOT retain pointers to the envp array" — copied now.
        let parameters = FastCGIRequest(environment: request.pointee.envp)
        drainInput()
        deadlines.end(slot: slot)
        let response = handler.handle(parameters)
        let bytes = response.serialized
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                _ = FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out)
            }
        }
        FCGX_Finish_r(request)
    }

    /// Request bodies are never used, but they are read to the end so the
    /// web server is not left blocked writing them.
    private func drainInput() {
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let capacity = Int32(buffer.count)
        while buffer.withUnsafeMutableBufferPointer({ FCGX_GetStr($0.baseAddress, capacity, request.pointee.in) }) > 0 {}
    }
}
