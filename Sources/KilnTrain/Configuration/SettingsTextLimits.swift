/// Limits a settings file's text must keep before the YAML parser sees it.
///
/// The parser recurses once per nesting level and has no limit of its own, so a file of
/// 100,000 `[` would exhaust its stack. One pass over the bytes bounds the nesting from above
/// without parsing (comment lines aside, which hold no structure):
/// - flow nesting: every `[` and `{` counts, quoted or not. The running depth (less the closing
///   brackets) may not pass `maximumDepth`, and since a quoted `]` could hide a level from it,
///   a file may also open at most `maximumBrackets` in all;
/// - block nesting needs a new column for every level but one per column (a list that is the
///   value of a key may start in the key's column), so a file whose lines start entries at no
///   more than `maximumDepth / 2` different columns nests at most `maximumDepth` levels.
///
/// So at most `maximumBrackets + maximumDepth` levels reach the parser; a settings file has two.
/// Aliases need no count here: a settings file holds only scalars and one `data` mapping of
/// scalars, so a value built from aliases is a wrong type before anything expands it.
enum SettingsTextLimits {
    /// The largest settings file read, in bytes.
    static let maximumBytes = 1 << 20
    /// The deepest nesting allowed.
    static let maximumDepth = 64
    /// The most flow collections (`[` or `{`) in one file.
    static let maximumBrackets = 256

    /// The error of a text larger than `maximumBytes`.
    static let tooLarge = "is larger than \(maximumBytes >> 20) MiB"

    /// The first limit `text` breaks, as one line, or nil.
    static func violation(in text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.count > maximumBytes { return tooLarge }
        var depth = 0, brackets = 0
        var columns = Set<Int>()
        for (number, line) in lines(of: bytes).enumerated() {
            // A comment line holds no structure, whatever it holds (and neither does a line inside
            // a quoted or block scalar that looks like one).
            guard let starts = entryColumns(of: line) else { continue }
            columns.formUnion(starts)
            if columns.count > maximumDepth / 2 {
                return "nests too deeply: by line \(number + 1), entries start at more than \(maximumDepth / 2) different columns"
            }
            for byte in line {
                switch byte {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    brackets += 1
                    if depth > maximumDepth { return "nests more than \(maximumDepth) levels deep at line \(number + 1)" }
                    if brackets > maximumBrackets { return "has more than \(maximumBrackets) '[' or '{'" }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth = max(depth - 1, 0)
                default:
                    break
                }
            }
        }
        return nil
    }

    /// The lines of `bytes`, split at every line break YAML knows: LF, CR, NEL, LS and PS.
    private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0, i = 0
        while i < bytes.count {
            let breakLength: Int
            switch bytes[i] {
            case 0x0A, 0x0D: breakLength = 1
            case 0xC2 where i + 1 < bytes.count && bytes[i + 1] == 0x85: breakLength = 2
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                breakLength = 3
            default: breakLength = 0
            }
            if breakLength > 0 {
                lines.append(bytes[start..<i])
                start = i + breakLength
                i = start
            } else {
                i += 1
            }
        }
        lines.append(bytes[start...])
        return lines
    }

    /// The columns where `line` may start a block entry: its first character and each one after
    /// a leading indicator (`- `, `? `, `: `, `--- `, `... `); nil for a blank or comment line.
    private static func entryColumns(of line: ArraySlice<UInt8>) -> [Int]? {
        var i = line.startIndex, column = 0
        // The parser skips a byte-order mark at the start of any line, as one column.
        if line.starts(with: [0xEF, 0xBB, 0xBF]) {
            i += 3
            column = 1
        }
        func isBlank(_ index: Int) -> Bool { index >= line.endIndex || line[index] == 0x20 || line[index] == 0x09 }
        func advance(by count: Int) {
            i += count
            column += count
            while i < line.endIndex && isBlank(i) {
                i += 1
                column += 1
            }
        }
        advance(by: 0)
        guard i < line.endIndex, line[i] != UInt8(ascii: "#") else { return nil }
        var starts: [Int] = []
        while i < line.endIndex {
            starts.append(column)
            let byte = line[i]
            if (byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: ":")) && isBlank(i + 1) {
                advance(by: 1)
            } else if (byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")) && line[i...].prefix(3).elementsEqual([byte, byte, byte])
                        && isBlank(i + 3) {
                advance(by: 3)
            } else {
                break
            }
        }
        return starts
    }
}
