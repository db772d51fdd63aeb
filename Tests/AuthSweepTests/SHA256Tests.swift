import Testing

@testable import AuthSweep

@Suite("SHA-256 fingerprints")
struct SHA256Tests {
    @Test(
        "the digests of FIPS 180-4's examples and of lengths around the block boundaries",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        ])
    func knownDigests(message: String, expected: String) {
        #expect(SHA256.hex(Array(message.utf8)) == expected)
    }

    @Test("a fingerprint is the length and the first 12 hex digits")
    func fingerprint() {
        #expect(SHA256.fingerprint(Array("abc".utf8)) == "3 bytes, SHA-256 ba7816bf8f01")
    }
}
