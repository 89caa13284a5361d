/// Cuts bytes into the chunks a ``BytePairTokenizer`` merges within: no merge crosses a chunk
/// boundary, so a token never spans two words.
///
/// The rule follows the shape of GPT-2's pre-tokenization pattern, on byte classes instead of
/// Unicode categories (so that it applies to any bytes, valid UTF-8 or not):
/// - classes: *letters* (ASCII letters and every byte from 0x80 up, so that a multi-byte UTF-8
///   character stays inside its word), *digits* (0–9), *whitespace* (space, tab, line feed,
///   vertical tab, form feed, carriage return) and *other* bytes (punctuation, symbols, controls);
/// - a chunk is an optional single leading space followed by a maximal run of letters, of
///   digits or of other bytes; or a maximal run of whitespace, except that a space just
///   before a non-whitespace byte is left to begin the next chunk;
/// - a chunk longer than ``maximumLength`` bytes is cut into pieces of that length, which bounds
///   the length of every token.
///
/// Unlike GPT-2 there are no special cases for English contractions: an apostrophe is an
/// *other* byte. The chunks of any bytes, concatenated, give back those bytes.
public enum ByteChunks {
    /// The longest chunk, and so the longest token, in bytes.
    public static let maximumLength = 256

    private enum ByteClass { case letter, digit, whitespace, other }

    private static func byteClass(_ byte: UInt8) -> ByteClass {
        switch byte {
        case 0x41...0x5A, 0x61...0x7A, 0x80...0xFF: .letter
        case 0x30...0x39: .digit
        case 0x20, 0x09...0x0D: .whitespace
        default: .other
        }
    }

    /// The chunks of `bytes`, as consecutive ranges covering all of them.
    public static func ranges(of bytes: [UInt8]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        func add(_ range: Range<Int>) {
            for start in stride(from: range.lowerBound, to: range.upperBound, by: maximumLength) {
                chunks.append(start..<min(start + maximumLength, range.upperBound))
            }
        }
        let n = bytes.count
        var i = 0
        while i < n {
            let start = i
            if byteClass(bytes[i]) == .whitespace {
                var end = i
                while end < n && byteClass(bytes[end]) == .whitespace { end += 1 }
                if end < n && bytes[end - 1] == 0x20 { end -= 1 }
                if end > i {
                    add(i..<end)
                    i = end
                    continue
                }
                i += 1   // a lone space before a word begins the word's chunk
            }
            let run = byteClass(bytes[i])
            while i < n && byteClass(bytes[i]) == run { i += 1 }
            add(start..<i)
        }
        return chunks
    }
}
