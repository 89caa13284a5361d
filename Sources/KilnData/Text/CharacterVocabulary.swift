/// The characters of a text, one per Unicode code point, sorted by code point; a character's id
/// is its index (Python's `sorted(set(text))`).
///
/// Code points, not Swift `Character`s: a grapheme cluster such as "e" followed by a combining
/// accent is two characters here, as it is to Python's `len`, and canonically equivalent
/// spellings keep distinct ids, so decoding gives back the very code points encoded.
public struct CharacterVocabulary: Equatable {
    /// The distinct code points, sorted; a code point's id is its index.
    public let characters: [Unicode.Scalar]
    /// The id of each code point value up to the largest in the vocabulary, -1 for those not in it.
    private let idOfValue: [Int32]

    /// The vocabulary of every code point in `text`.
    public init(of text: String) {
        var seen = Set<Unicode.Scalar>()
        for scalar in text.unicodeScalars { seen.insert(scalar) }
        let sorted = seen.sorted { $0.value < $1.value }
        characters = sorted
        var table = [Int32](repeating: -1, count: Int(sorted.last?.value ?? 0) + 1)
        for (id, scalar) in sorted.enumerated() { table[Int(scalar.value)] = Int32(id) }
        idOfValue = table
    }

    /// The number of ids.
    public var count: Int { characters.count }

    /// The id of `character`, or nil when it is not in the vocabulary.
    public func id(of character: Unicode.Scalar) -> Int? {
        let value = Int(character.value)
        guard value < idOfValue.count, idOfValue[value] >= 0 else { return nil }
        return Int(idOfValue[value])
    }

    /// The ids of the code points of `text`; a code point outside the vocabulary is an error naming
    /// it, its position in code points and `source` (the file or the kind of text, such as `prompt`).
    public func encode(_ text: String, source: String) throws(DataError) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let id = id(of: scalar) else {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                throw DataError(path: source, reason: "character U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex) at position \(ids.count) is not in the vocabulary of \(count) characters")
            }
            ids.append(id)
        }
        return ids
    }

    /// The text of `ids`; every id must be below ``count``.
    public func decode(_ ids: [Int]) -> String {
        var text = String.UnicodeScalarView()
        for id in ids {
            precondition(characters.indices.contains(id), "CharacterVocabulary.decode: id \(id) is outside the vocabulary of \(count) characters")
            text.append(characters[id])
        }
        return String(text)
    }
}
