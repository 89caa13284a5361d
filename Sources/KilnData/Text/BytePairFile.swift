import Foundation

/// The tokenizer file, kept beside a checkpoint so that a model reads the ids it was trained on.
///
/// UTF-8 text, one item per line, each line ending in a line feed:
///
/// ```text
/// kiln-bpe 1
/// merges 3
/// 97 97
/// 97 98
/// 256 257
/// ```
///
/// The first line names the format and its version; the second the number of merges; then one
/// line per merge in the order learned, the left and the right token id in decimal with one space
/// between. Merge `i` (line `3 + i`) makes token `256 + i`, so each id must be below `256 + i`. The
/// version fixes the chunking rule of ``ByteChunks``, under which no token is longer than
/// ``ByteChunks/maximumLength`` bytes and no pair is merged twice; the reader checks both.
extension BytePairTokenizer {
    /// The first line of every tokenizer file.
    static let fileHeader = "kiln-bpe 1"

    /// The contents of the tokenizer file.
    public var fileContents: Data {
        var text = "\(Self.fileHeader)\nmerges \(merges.count)\n"
        for pair in merges { text += "\(pair.left) \(pair.right)\n" }
        return Data(text.utf8)
    }

    /// Writes the tokenizer file to `path`, atomically: a crash leaves the old file or the new one.
    public func write(toFile path: String) throws(DataError) {
        try AtomicFile.write(fileContents, to: path)
    }

    /// The tokenizer in the file at `path`.
    public init(contentsOfFile path: String) throws(DataError) {
        try self.init(file: AtomicFile.read(path), path: path)
    }

    /// The tokenizer in `data`, the contents of a tokenizer file; `path` names it in errors.
    public init(file data: Data, path: String) throws(DataError) {
        guard !data.isEmpty else { throw DataError(path: path, reason: "is empty") }
        var lines = Array(data).split(separator: 0x0A, omittingEmptySubsequences: false)
        guard data.last == 0x0A else {
            throw DataError(path: path, line: lines.count, reason: "the last line does not end with a line feed")
        }
        lines.removeLast()
        guard lines[0].elementsEqual(Self.fileHeader.utf8) else {
            throw DataError(path: path, line: 1, reason: "not a Kiln tokenizer file: the first line must be '\(Self.fileHeader)'")
        }
        let maximumMerges = Self.vocabularySizes.upperBound - 256
        guard lines.count > 1, lines[1].starts(with: "merges ".utf8),
              let count = Self.decimal(lines[1].dropFirst(7)), count <= maximumMerges else {
            throw DataError(path: path, line: 2, reason: "expected 'merges N' with N from 0 to \(maximumMerges)")
        }
        guard lines.count - 2 == count else {
            throw DataError(path: path, reason: "the header says \(count) merges, the file holds \(lines.count - 2)")
        }
        var merges: [TokenPair] = [], lineOfPair: [Int: Int] = [:], length = [Int](repeating: 1, count: 256)
        merges.reserveCapacity(count)
        for (i, line) in lines.dropFirst(2).enumerated() {
            let number = i + 3, fields = line.split(separator: 0x20, omittingEmptySubsequences: false)
            guard fields.count == 2, let left = Self.decimal(fields[0]), let right = Self.decimal(fields[1]) else {
                throw DataError(path: path, line: number, reason: "expected two token ids 'LEFT RIGHT'")
            }
            guard left < 256 + i, right < 256 + i else {
                throw DataError(path: path, line: number, reason: "merge \(i) makes token \(256 + i) and may only join tokens below it, not \(left) and \(right)")
            }
            let pair = TokenPair(left, right)
            if let first = lineOfPair[pair.key] {
                throw DataError(path: path, line: number, reason: "the pair \(left) \(right) was already merged at line \(first)")
            }
            guard length[left] + length[right] <= ByteChunks.maximumLength else {
                throw DataError(path: path, line: number, reason: "token \(256 + i) would be \(length[left] + length[right]) bytes long; the limit is \(ByteChunks.maximumLength)")
            }
            lineOfPair[pair.key] = number
            length.append(length[left] + length[right])
            merges.append(pair)
        }
        self.init(validMerges: merges)
    }

    /// The number written in `digits`: 1 to 7 ASCII digits, nothing else.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard (1...7).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
