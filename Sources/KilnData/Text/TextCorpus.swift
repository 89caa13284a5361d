import Foundation
import Kiln

/// Plain text as a sequence of character ids, for character-level language models.
public struct TextCorpus {
    /// The distinct characters, sorted by code point; a character's id is its index.
    public let vocabulary: [Character]
    /// The text as ids into ``vocabulary``.
    public let ids: [Int]

    /// Reads the given files in order, concatenated with nothing between.
    ///
    /// Files that are not valid UTF-8 are skipped when `skipInvalid` is true, else an error naming
    /// the first bad byte; a leading byte-order mark is dropped. Files that hold no text at all are an error.
    public init(paths: [String], skipInvalid: Bool = false) throws(DataError) {
        var text = ""
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DataError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
            }
            do {
                text += try UTF8Text.decode(data, path: path)
            } catch {
                if skipInvalid { continue }
                throw error
            }
        }
        guard !text.isEmpty else {
            throw DataError(path: paths.first ?? "", reason: paths.count > 1 ? "these \(paths.count) files hold no text" : "holds no text")
        }
        self.init(text: text)
    }

    /// The characters of `text`, one per Unicode scalar (so that canonically equivalent
    /// spellings such as "Å" and "A\u{30A}" keep distinct ids and decode back unchanged).
    public init(text: String) {
        let scalars = Array(text.unicodeScalars)
        let distinct = Set(scalars).sorted { $0.value < $1.value }
        vocabulary = distinct.map(Character.init)
        let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        ids = scalars.map { index[$0] ?? 0 }
    }

    /// Every regular, non-symlink file of `directory` sorted by name, skipping `skippingSuffix` (the fortunes layout).
    public static func files(in directory: String, skippingSuffix suffix: String = ".dat") throws(DataError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw DataError(path: directory, reason: "no such directory")
        }
        return names.sorted().map { directory + "/" + $0 }.filter { path in
            guard !path.hasSuffix(suffix),
                  let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return false }
            return attributes[.type] as? FileAttributeType == .typeRegular
        }
    }

    /// The text of `ids`; every id must index ``vocabulary``.
    public func decode(_ ids: [Int]) -> String {
        String(ids.map { id in
            precondition(vocabulary.indices.contains(id), "id \(id) is outside the vocabulary of \(vocabulary.count) characters")
            return vocabulary[id]
        })
    }
}
