// libFuzzer target: the Authorization header parser and the constant-time
// comparison. Built with the sources it tests by fuzz/run.

private let secret = Array("fuzz-secret-0123456789".utf8)
private let previous = Array("fuzz-previous-abcdefghij".utf8)
private let authorizer = BearerAuthorizer(secrets: [secret, previous])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAuthorization(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let header = Array(UnsafeBufferPointer(start: data, count: size))
    let authorized = authorizer.isAuthorized(headerValues: [header])
    // The only headers that may pass: "Bearer" in any case, one space, a secret.
    let scheme = header.prefix(6).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
    let token = Array(header.dropFirst(7))
    let expected = header.count > 7 && scheme == Array("bearer".utf8) && header[6] == 32 && (token == secret || token == previous)
    if authorized != expected {
        fatalError("authorization disagrees with the rule for \(header)")
    }
    if let token = BearerAuthorizer.bearerToken(in: header), token.isEmpty || token.first == 32 {
        fatalError("an empty or space-led token was parsed")
    }
    // Repeated headers never pass, whatever they hold.
    if authorizer.isAuthorized(headerValues: [header, header]) {
        fatalError("a repeated header was accepted")
    }
    return 0
}
