internal import CFastCGI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libfcgi on a private socket pair: one responder's `FCGX_Request`, fed
/// only whole requests that `RequestFramer` has checked, and whose answer
/// records are read back to be sent by the responder loop.
///
/// libfcgi never touches a web-server connection: its reads, writes and
/// lingering close would block the responder on a peer that is slow, never
/// reads, or trickles bytes. On the pair every read finds its bytes already
/// there and every write fits, so a call into libfcgi never waits.
final class LibFCGIResponder {
    private let request: UnsafeMutablePointer<FCGX_Request>
    /// Our end: written with requests, read for answers; non-blocking.
    private var ownEnd: Int32 = -1
    /// The end libfcgi reads and writes (`ipcFd`); blocking, as libfcgi expects.
    private var libraryEnd: Int32 = -1
    private var answer: [UInt8] = []
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    /// Answers are read back after every chunk this size, so that the
    /// pair's buffer never fills while libfcgi writes.
    private static let chunkBytes = 32 * 1024

    init() throws(FastCGIError) {
        request = .allocate(capacity: 1)
        // No listening socket: libfcgi never accepts a connection itself
        // (after a refused request its retry fails with EBADF at once).
        FCGX_InitRequest(request, -1, 0)
        // A failure here releases the object: deinit frees what was made.
        try openPair()
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
        readBuffer.deallocate()
        if ownEnd >= 0 { close(ownEnd) }
    }

    private func openPair() throws(FastCGIError) {
        var ends: [Int32] = [-1, -1]
        try systemCall("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) }
        ownEnd = ends[0]
        libraryEnd = ends[1]
        _ = fcntl(ownEnd, F_SETFL, fcntl(ownEnd, F_GETFL) | O_NONBLOCK)
        // A checked request is written in one go: ask for room for the
        // largest (the kernel caps it at net.core.wmem_max).
        var size = Int32(1 << 22)
        _ = setsockopt(ownEnd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        request.pointee.ipcFd = libraryEnd
        // "Detached": closed without libfcgi's lingering wait for a peer.
        request.pointee.detached = 1
    }

    /// Whether a request of `bytes` fits in the pair in one write: checked
    /// once at start against the configured limits, since a request that
    /// did not fit would leave libfcgi waiting for the rest.
    func fits(bytes: Int) -> Bool {
        let probe = [UInt8](repeating: 0, count: bytes)
        let written = probe.withUnsafeBytes { send(ownEnd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        while recv(libraryEnd, readBuffer.baseAddress, readBuffer.count, Int32(MSG_DONTWAIT)) > 0 {}
        return written == bytes
    }

    /// Passes one checked request through libfcgi to `handler` and returns
    /// the records libfcgi wrote in answer (`STDOUT`, `END_REQUEST`); nil
    /// if libfcgi refused it, which a checked request should never be.
    func respond(to records: [UInt8], with handler: any FastCGIHandler) -> [UInt8]? {
        answer.removeAll(keepingCapacity: true)
        let written = records.withUnsafeBytes { send(ownEnd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == records.count else {
            reopen()
            return nil
        }
        // FCGX_Accept_r first finishes the previous request; the forced
        // FCGI_KEEP_CONN keeps it from closing the pair.
        request.pointee.keepConnection = 1
        guard FCGX_Accept_r(request) >= 0 else {
            reopen()
            return nil
        }
        // fcgiapp.h: "DO NOT retain pointers to the envp array" — copied now.
        let parameters = FastCGIRequest(environment: request.pointee.envp)
        // The one empty STDIN record: reads it so the pair is empty again.
        var byte: CChar = 0
        _ = FCGX_GetStr(&byte, 1, request.pointee.in)
        let bytes = handler.handle(parameters).serialized
        var start = 0
        while start < bytes.count {
            let end = min(start + Self.chunkBytes, bytes.count)
            bytes[start..<end].withUnsafeBufferPointer { chunk in
                chunk.withMemoryRebound(to: CChar.self) {
                    _ = FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out)
                }
            }
            if end < bytes.count {
                _ = FCGX_FFlush(request.pointee.out)
                collectAnswer()
            }
            start = end
        }
        FCGX_Finish_r(request)
        collectAnswer()
        return answer
    }

    /// Reads what libfcgi has written so far.
    private func collectAnswer() {
        while true {
            let count = recv(ownEnd, readBuffer.baseAddress, readBuffer.count, 0)
            guard count > 0 else { return }
            answer.append(contentsOf: UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
            if count < readBuffer.count { return }
        }
    }

    /// After a refusal libfcgi has closed its end: start on a fresh pair.
    private func reopen() {
        FCGX_Free(request, 1)
        if ownEnd >= 0 { close(ownEnd) }
        ownEnd = -1
        do throws(FastCGIError) {
            try openPair()
        } catch {
            // Out of descriptors: the next request fails the same way and
            // its connection is closed; the responder keeps going.
        }
    }
}
