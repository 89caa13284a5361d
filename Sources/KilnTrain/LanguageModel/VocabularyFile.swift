import Foundation
import Kiln
import KilnData

/// The character vocabulary of a language-model run, saved beside its checkpoint as
/// `vocabulary.json`: `{"kind": "characters", "code_points": [10, 32, 33, …]}`, the code points in
/// ascending order, a character's id its index.
enum VocabularyFile {
    /// The file name inside a run folder.
    static let name = "vocabulary.json"

    /// Writes `vocabulary` to `path`, atomically.
    static func write(_ vocabulary: CharacterVocabulary, to path: String) throws {
        let object: [String: Any] = ["kind": "characters", "code_points": vocabulary.characters.map { Int($0.value) }]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        try AtomicFile.write(data, to: path)
    }

    /// Reads the vocabulary at `path`; a missing file, or code points that are not strictly
    /// ascending Unicode scalars, are an error naming the file.
    static func read(_ path: String) throws(DataError) -> CharacterVocabulary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file (the vocabulary of the run)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], object["kind"] as? String == "characters",
              let values = object["code_points"] as? [NSNumber] else {
            throw DataError(path: path, reason: "is not a character vocabulary: expected {\"kind\": \"characters\", \"code_points\": [...]}")
        }
        var scalars = String.UnicodeScalarView()
        var previous = -1
        for number in values {
            let value = number.intValue
            guard Double(value) == number.doubleValue, value > previous, let scalar = UInt32(exactly: value).flatMap(Unicode.Scalar.init) else {
                throw DataError(path: path, reason: "code point \(number) is not a Unicode scalar above the one before it")
            }
            scalars.append(scalar)
            previous = value
        }
        guard !scalars.isEmpty else { throw DataError(path: path, reason: "holds no characters") }
        return CharacterVocabulary(of: String(scalars))
    }
}
