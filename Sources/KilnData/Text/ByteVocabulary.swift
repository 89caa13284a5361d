/// Bytes as tokens: 256 ids, a byte's id is its value. Any text, valid UTF-8 or not, round-trips.
public struct ByteVocabulary: Equatable {
    /// The byte vocabulary.
    public init() {}

    /// The number of ids: 256.
    public var count: Int { 256 }

    /// The ids of `bytes`.
    public func encode(_ bytes: some Sequence<UInt8>) -> [Int] { bytes.map(Int.init) }

    /// The bytes of `ids`; every id must be below 256.
    public func decode(_ ids: [Int]) -> [UInt8] {
        ids.map { id in
            precondition((0..<256).contains(id), "ByteVocabulary.decode: id \(id) is not a byte")
            return UInt8(id)
        }
    }
}
