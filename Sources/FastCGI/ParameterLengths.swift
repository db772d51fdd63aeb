/// Follows the name-value pairs of a parameter stream across records and
/// checks every declared length against the limits as soon as it is read.
struct ParameterLengths {
    private let limits: FastCGILimits
    /// Bytes of names and values still to pass over.
    private var skip = 0
    /// Length bytes of a pair whose lengths are not complete yet.
    private var lengthBytes: [UInt8] = []
    private var total = 0
    private var count = 0

    init(limits: FastCGILimits) {
        self.limits = limits
        lengthBytes.reserveCapacity(8)
    }

    var isAtPairBoundary: Bool { skip == 0 && lengthBytes.isEmpty }

    /// Checks the start of a record that is still arriving, without
    /// consuming it. Cheap to repeat: names and values are skipped over, and
    /// the pairs looked at are bounded by the count limit.
    func preview(_ content: ArraySlice<UInt8>) -> FastCGIRejection? {
        var copy = self
        return copy.consume(content)
    }

    /// Consumes a whole record's content.
    mutating func consume(_ content: ArraySlice<UInt8>) -> FastCGIRejection? {
        var index = content.startIndex
        while index < content.endIndex {
            if skip > 0 {
                let step = min(skip, content.endIndex - index)
                skip -= step
                index += step
                continue
            }
            lengthBytes.append(content[index])
            index += 1
            guard let (nameLength, valueLength) = Self.lengths(lengthBytes) else { continue }
            count += 1
            total += lengthBytes.count + nameLength + valueLength
            lengthBytes.removeAll(keepingCapacity: true)
            if count > limits.parameterCount { return .tooManyParameters }
            if total > limits.parameterBytes { return .parametersTooLarge }
            skip = nameLength + valueLength
        }
        return nil
    }

    /// A pair's two lengths, each one byte below 128 or four bytes with the
    /// top bit set; nil until all their bytes are there.
    private static func lengths(_ bytes: [UInt8]) -> (Int, Int)? {
        func length(at offset: Int) -> (value: Int, size: Int)? {
            guard offset < bytes.count else { return nil }
            if bytes[offset] < 0x80 { return (Int(bytes[offset]), 1) }
            guard offset + 4 <= bytes.count else { return nil }
            let value = Int(bytes[offset] & 0x7f) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            return (value, 4)
        }
        guard let name = length(at: 0), let value = length(at: name.size) else { return nil }
        return (name.value, value.value)
    }
}
