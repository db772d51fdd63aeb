/// The fixed eight bytes before every record.
struct RecordHeader {
    enum RecordType: UInt8 {
        case beginRequest = 1
        case abortRequest = 2
        case endRequest = 3
        case params = 4
        case stdin = 5
        case stdout = 6
        case stderr = 7
        case data = 8
        case getValues = 9
        case getValuesResult = 10
        case unknownType = 11
    }

    let version: UInt8
    let rawType: UInt8
    let requestID: UInt16
    let contentLength: Int
    let paddingLength: Int

    var type: RecordType? { RecordType(rawValue: rawType) }

    init(_ bytes: [UInt8], at offset: Int) {
        version = bytes[offset]
        rawType = bytes[offset + 1]
        requestID = UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3])
        contentLength = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
        paddingLength = Int(bytes[offset + 6])
    }
}
