import Foundation

/// NumPy's `.npy` format: magic `\x93NUMPY`, a version, a Python-dict header giving
/// `descr`, `fortran_order` and `shape`, then the raw data.
///
/// Versions 1.0, 2.0 and 3.0 are read; little- and big-endian data (`<`, `>`) of the float,
/// signed, unsigned and bool types in ``NPY/decode(_:path:)`` are widened to Kiln's dtypes.
/// As NumPy requires, the data must be exactly as long as the shape says.
public enum NPY {
    /// Reads one array from a `.npy` file.
    public static func read(_ path: String) throws(TensorFileError) -> Tensor {
        try decode(AtomicFile.read(path), path: path)
    }

    /// Writes a tensor as a `.npy` file, atomically.
    public static func write(_ tensor: Tensor, to path: String) throws(TensorFileError) {
        try AtomicFile.write(encode(tensor), to: path)
    }

    /// The file image of `tensor` (little-endian, C order): version 1.0, or 2.0 when the header
    /// outgrows 1.0's 16-bit length, as NumPy writes.
    public static func encode(_ tensor: Tensor) -> Data {
        let descr = switch tensor.dtype { case .float32: "<f4"; case .int64: "<i8"; case .bool: "|b1" }
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)" : "(\(tensor.shape.map(String.init).joined(separator: ", ")))"
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        /// The dict padded with spaces and a newline so that the data starts at a multiple of 64 bytes.
        func padded(after prefixLength: Int) -> String {
            dict + String(repeating: " ", count: (64 - (prefixLength + dict.utf8.count + 1) % 64) % 64) + "\n"
        }
        var header = padded(after: 10)
        var data = Data([0x93] + Array("NUMPY".utf8))
        if header.utf8.count <= Int(UInt16.max) {
            data.append(contentsOf: [1, 0])
            withUnsafeBytes(of: UInt16(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        } else {
            header = padded(after: 12)
            data.append(contentsOf: [2, 0])
            withUnsafeBytes(of: UInt32(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        }
        data.append(contentsOf: Array(header.utf8))
        let t = tensor.contiguousData()
        data.append(Data(bytes: t.storage.base + t.offset * t.dtype.byteSize, count: t.count * t.dtype.byteSize))
        return data
    }

    /// Parses a `.npy` file image; `path` names it in errors.
    ///
    /// Accepted `descr`s: `f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 b1`, each with `<`, `>` or `|`.
    public static func decode(_ data: Data, path: String) throws(TensorFileError) -> Tensor {
        try data.withUnsafeBytes { bytes in
            Result { () throws(TensorFileError) in try decode(bytes, path: path) }
        }.get()
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(TensorFileError) -> Tensor {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not an .npy file (bad magic at byte 0)")
        }
        let headerLength: Int, headerStart: Int
        switch (bytes[6], bytes[7]) {
        case (1, 0):
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard bytes.count >= 12 else { throw fail("truncated header length at byte 8") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw fail("unsupported .npy version \(bytes[6]).\(bytes[7]) at byte 6")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw fail("truncated: header of \(headerLength) bytes at byte \(headerStart) exceeds the file size \(bytes.count)")
        }
        let header = try Header(Array(bytes[headerStart..<(headerStart + headerLength)]), at: headerStart, path: path)
        let count: Int
        switch CheckedSize.elementCount(header.shape) {
        case .success(let n): count = n
        case .failure(let problem): throw fail("shape \(header.shape) at byte \(headerStart): \(problem)")
        }
        let dataStart = headerStart + headerLength
        let found = bytes.count - dataStart
        guard let needed = CheckedSize.byteCount(count, itemSize: header.type.byteSize) else {
            throw fail("shape \(header.shape) of \(header.descr) at byte \(headerStart): byte count overflows a 64-bit integer")
        }
        guard found >= needed else {
            throw fail("truncated: \(found) data bytes at byte \(dataStart), shape \(header.shape) of \(header.descr) needs \(needed)")
        }
        guard found == needed else { throw fail("\(found - needed) trailing bytes after the data at byte \(dataStart + needed)") }
        // Fortran order stores the transpose: read it in reversed shape, then reverse the axes.
        let storedShape = header.fortranOrder ? Array(header.shape.reversed()) : header.shape
        let stored = header.type.tensor(shape: storedShape, count: count,
                                        from: UnsafeRawBufferPointer(rebasing: bytes[dataStart...]), bigEndian: header.bigEndian)
        return header.fortranOrder ? stored.permuted(Array((0..<header.shape.count).reversed())).contiguousData() : stored
    }

    /// The three fields of an `.npy` header, parsed from its Python dict literal
    /// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    private struct Header {
        var descr = ""
        var type = StoredType.float32
        var bigEndian = false
        var fortranOrder = false
        var shape: [Int] = []

        /// Parses `text`, which starts at byte `start` of the file.
        init(_ text: [UInt8], at start: Int, path: String) throws(TensorFileError) {
            var scanner = Scanner(text: text, start: start, path: path)
            var seen: Set<String> = []
            try scanner.expect("{")
            while try scanner.peek() != UInt8(ascii: "}") {
                let keyOffset = scanner.offset
                let key = try scanner.quoted()
                guard seen.insert(key).inserted else { throw scanner.fail("key '\(key.snippet())' appears twice", at: keyOffset) }
                try scanner.expect(":")
                switch key {
                case "descr":
                    let offset = scanner.offset
                    descr = try scanner.quoted()
                    guard let stored = Self.storedType(descr) else { throw scanner.fail("unsupported descr '\(descr.snippet())'", at: offset) }
                    (type, bigEndian) = stored
                case "fortran_order": fortranOrder = try scanner.boolean()
                case "shape": shape = try scanner.tuple()
                default: throw scanner.fail("unknown key '\(key.snippet())'", at: keyOffset)
                }
                guard try scanner.peek() == UInt8(ascii: ",") else { break }
                try scanner.expect(",")
            }
            try scanner.expect("}")
            try scanner.expectEnd()
            guard seen.count == 3 else {
                let missing = ["descr", "fortran_order", "shape"].filter { !seen.contains($0) }
                throw scanner.fail("header lacks \(missing.map { "'\($0)'" }.joined(separator: ", "))", at: start)
            }
        }

        /// The stored type and byte order a `descr` such as `<f4` names, or nil for others.
        static func storedType(_ descr: String) -> (StoredType, bigEndian: Bool)? {
            let order = descr.first
            let code = descr.dropFirst()
            let types: [Substring: StoredType] = ["f2": .float16, "f4": .float32, "f8": .float64, "i1": .int8, "i2": .int16,
                                                  "i4": .int32, "i8": .int64, "u1": .uint8, "u2": .uint16, "u4": .uint32, "b1": .bool]
            guard let type = types[code] else { return nil }
            switch order {
            case "<": return (type, false)
            case ">": return (type, true)
            case "|" where type.byteSize == 1: return (type, false)
            default: return nil
            }
        }
    }

    /// Reads the tokens of a Python literal: quoted strings, `True`/`False`, tuples of integers.
    private struct Scanner {
        let text: [UInt8]
        let start: Int
        let path: String
        var index = 0

        init(text: [UInt8], start: Int, path: String) {
            self.text = text
            self.start = start
            self.path = path
        }

        /// The file offset of the next byte.
        var offset: Int { start + index }

        func fail(_ reason: String, at offset: Int) -> TensorFileError {
            TensorFileError(path: path, reason: "malformed header: \(reason) at byte \(offset)")
        }

        /// The next non-space byte, without consuming it.
        mutating func peek() throws(TensorFileError) -> UInt8 {
            while index < text.count, text[index] == 0x20 || text[index] == 0x09 { index += 1 }
            guard index < text.count else { throw fail("unexpected end", at: offset) }
            return text[index]
        }

        mutating func expect(_ symbol: Unicode.Scalar) throws(TensorFileError) {
            guard try peek() == UInt8(ascii: symbol) else { throw fail("expected '\(symbol)'", at: offset) }
            index += 1
        }

        /// Only spaces and a final newline may follow the closing brace.
        mutating func expectEnd() throws(TensorFileError) {
            while index < text.count, text[index] == 0x20 || text[index] == 0x0A || text[index] == 0x0D { index += 1 }
            guard index == text.count else { throw fail("unexpected text after '}'", at: offset) }
        }

        mutating func quoted() throws(TensorFileError) -> String {
            let quote = try peek()
            guard quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw fail("expected a quoted string", at: offset) }
            let first = index + 1
            guard let close = text[first...].firstIndex(of: quote) else { throw fail("unterminated string", at: offset) }
            index = close + 1
            return String(decoding: text[first..<close], as: UTF8.self)
        }

        mutating func boolean() throws(TensorFileError) -> Bool {
            _ = try peek()
            for (word, value) in [("True", true), ("False", false)] where text[index...].starts(with: word.utf8) {
                index += word.utf8.count
                return value
            }
            throw fail("expected True or False", at: offset)
        }

        /// `()`, `(n,)` or `(a, b, …)` with non-negative integers (an `L` suffix from Python 2 allowed).
        mutating func tuple() throws(TensorFileError) -> [Int] {
            try expect("(")
            var values: [Int] = []
            while try peek() != UInt8(ascii: ")") {
                let first = index
                if text[index] == UInt8(ascii: "-") { index += 1 }
                while index < text.count, (0x30...0x39).contains(text[index]) { index += 1 }
                let digits = String(decoding: text[first..<index], as: UTF8.self)
                guard let value = Int(digits) else {
                    throw fail(digits.isEmpty ? "expected a dimension" : "dimension \(digits) is out of range", at: start + first)
                }
                guard value >= 0 else { throw fail("negative dimension \(value)", at: start + first) }
                guard values.count < CheckedSize.maximumRank else { throw fail("more than \(CheckedSize.maximumRank) dimensions", at: start + first) }
                values.append(value)
                if index < text.count, text[index] == UInt8(ascii: "L") { index += 1 }
                guard try peek() == UInt8(ascii: ",") else { break }
                index += 1
            }
            try expect(")")
            return values
        }
    }
}
