import Foundation

/// The safetensors format: an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data.
///
/// Reading checks what the format's specification requires: the header is a JSON object of at
/// most 100 MB without duplicate keys, `__metadata__` maps strings to strings, every byte count
/// equals its shape times its dtype's size, and the tensors' byte ranges tile the data exactly,
/// with no overlap, gap or trailing byte.
public enum Safetensors {
    /// Named tensors and the string metadata of a safetensors file.
    public struct Contents {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]
        /// The dtype code each read tensor was stored as (`"F32"`, `"I8"`, …), before widening.
        public var storedTypes: [String: String] = [:]

        /// Contents to write: named tensors and string metadata.
        public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// The largest header read, as in the format's reference implementation.
    public static let maximumHeaderLength = 100_000_000

    /// The header key that holds the metadata rather than a tensor.
    static let metadataKey = "__metadata__"

    /// Reads a safetensors file.
    public static func read(_ path: String) throws(TensorFileError) -> Contents {
        try decode(AtomicFile.read(path), path: path)
    }

    /// Writes tensors (and metadata) to `path` atomically; names are sorted as PyTorch's writer does.
    /// `narrowed` names int64 tensors to store as 8-bit integers, `"I8"` or `"U8"`.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], narrowed: [String: String] = [:],
                             to path: String) throws(TensorFileError) {
        try AtomicFile.write(encode(tensors, metadata: metadata, narrowed: narrowed, path: path), to: path)
    }

    /// The file image of `tensors`; `path` names it in errors, thrown for an empty tensor name
    /// or one spelled `__metadata__`, which no reader could tell apart.
    /// - Precondition: each tensor `narrowed` names is int64 with values that fit its code, `"I8"` or `"U8"`.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:], narrowed: [String: String] = [:],
                              path: String) throws(TensorFileError) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header[metadataKey] = metadata }
        var offset = 0
        let named = tensors.map { (name: $0.key, tensor: $0.value.contiguousData()) }.sorted { $0.name < $1.name }
        for (name, t) in named {
            guard !name.isEmpty, name != metadataKey else {
                throw TensorFileError(path: path, reason: "cannot write a tensor named '\(name.snippet())'")
            }
            if let narrow = narrowed[name] {
                let range = narrow == "I8" ? -128...127 : 0...255
                precondition(["I8", "U8"].contains(narrow) && t.dtype == .int64 && t.integers.allSatisfy(range.contains),
                             "Safetensors.encode: '\(name)' (\(t.dtype) \(t.shape)) cannot be stored as \(narrow)")
            }
            let bytes = t.count * (narrowed[name] == nil ? t.dtype.byteSize : 1)
            header[name] = ["dtype": narrowed[name] ?? code(for: t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        guard var json = try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) else {
            throw TensorFileError(path: path, reason: "the header cannot be written as JSON")
        }
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for (name, t) in named {
            if narrowed[name] != nil {
                data.append(contentsOf: t.integers.map { UInt8(truncatingIfNeeded: $0) })
            } else {
                data.append(Data(bytes: t.storage.base + t.offset * t.dtype.byteSize, count: t.count * t.dtype.byteSize))
            }
        }
        return data
    }

    /// Parses a safetensors file image; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(TensorFileError) -> Contents {
        try data.withUnsafeBytes { bytes in
            Result { () throws(TensorFileError) in try decode(bytes, path: path) }
        }.get()
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(TensorFileError) -> Contents {
        func fail(_ reason: String) -> TensorFileError { TensorFileError(path: path, reason: reason) }
        guard bytes.count >= 8 else { throw fail("truncated: \(bytes.count) bytes, no header length") }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw fail("header length \(headerLength) at byte 0 exceeds the limit of \(maximumHeaderLength) bytes")
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail("truncated: header of \(headerLength) bytes at byte 8 exceeds the file size \(bytes.count)")
        }
        let start = 8 + Int(headerLength)
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<start])
        guard headerBytes.first == UInt8(ascii: "{"),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw fail("header at byte 8 is not a JSON object")
        }
        if let (key, offset) = firstDuplicateKey(in: headerBytes) {
            throw fail("header key '\(key.snippet())' appears twice (again at byte \(8 + offset))")
        }
        var contents = Contents(tensors: [:])
        var entries: [(name: String, entry: Entry)] = []
        for (name, value) in header {
            if name == metadataKey {
                guard let metadata = value as? [String: Any], let strings = metadata as? [String: String] else {
                    throw fail("'\(metadataKey)' is not a map of strings to strings")
                }
                contents.metadata = strings
                continue
            }
            guard !name.isEmpty else { throw fail("a tensor has an empty name") }
            entries.append((name, try Entry(value) { fail("tensor '\(name.snippet())': \($0)") }))
        }
        let dataLength = bytes.count - start
        var end = 0
        for (name, entry) in entries.sorted(by: { ($0.entry.begin, $0.entry.end) < ($1.entry.begin, $1.entry.end) }) {
            guard entry.begin == end else {
                throw fail("tensor '\(name.snippet())': data bytes \(entry.begin)..<\(entry.end) "
                           + (entry.begin > end ? "leave a gap after byte \(end)" : "overlap another tensor's before byte \(end)"))
            }
            guard entry.end <= dataLength else {
                throw fail("tensor '\(name.snippet())': data bytes \(entry.begin)..<\(entry.end) lie outside the \(dataLength) data bytes (truncated?)")
            }
            end = entry.end
            let region = UnsafeRawBufferPointer(rebasing: bytes[(start + entry.begin)..<(start + entry.end)])
            contents.tensors[name] = entry.type.tensor(shape: entry.shape, count: entry.count, from: region)
            contents.storedTypes[name] = entry.code
        }
        guard end == dataLength else { throw fail("\(dataLength - end) trailing bytes after the last tensor at byte \(start + end)") }
        return contents
    }

    /// One tensor's header entry, checked: a known dtype, a valid shape, and a byte range
    /// whose length is the shape's element count times the dtype's size.
    private struct Entry {
        let code: String
        let type: StoredType
        let shape: [Int]
        let count: Int
        let begin: Int
        let end: Int

        init(_ value: Any, fail: (String) -> TensorFileError) throws(TensorFileError) {
            guard let entry = value as? [String: Any] else { throw fail("header entry is not a JSON object") }
            if let unknown = entry.keys.sorted().first(where: { !["dtype", "shape", "data_offsets"].contains($0) }) {
                throw fail("unknown header field '\(unknown.snippet())'")
            }
            guard let code = entry["dtype"] as? String else { throw fail("header entry lacks a dtype string") }
            guard let type = Safetensors.storedTypes[code] else { throw fail("unsupported dtype \(code.snippet())") }
            guard let shape = Self.integers(entry["shape"]) else { throw fail("shape is not a list of integers") }
            guard let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2 else {
                throw fail("data_offsets is not a pair of integers")
            }
            switch CheckedSize.elementCount(shape) {
            case .success(let n): count = n
            case .failure(let problem): throw fail("shape \(shape): \(problem)")
            }
            guard offsets[0] >= 0, offsets[1] >= offsets[0] else { throw fail("data_offsets \(offsets) are not an ascending byte range") }
            guard let bytes = CheckedSize.byteCount(count, itemSize: type.byteSize), bytes == offsets[1] - offsets[0] else {
                throw fail("\(offsets[1] - offsets[0]) data bytes for shape \(shape) of \(code)")
            }
            (self.code, self.type, self.shape, begin, end) = (code, type, shape, offsets[0], offsets[1])
        }

        /// The JSON array's elements when all are integers (not booleans or fractions) that fit in `Int`.
        static func integers(_ value: Any?) -> [Int]? {
            guard let array = value as? [Any] else { return nil }
            var result: [Int] = []
            for element in array {
                guard let number = element as? NSNumber, !["c", "d", "f"].contains(String(cString: number.objCType)),
                      let n = element as? Int else { return nil }
                result.append(n)
            }
            return result
        }
    }

    /// The dtype codes the format names, and how each is stored.
    static let storedTypes: [String: StoredType] = [
        "F16": .float16, "BF16": .bfloat16, "F32": .float32, "F64": .float64, "I8": .int8, "I16": .int16,
        "I32": .int32, "I64": .int64, "U8": .uint8, "U16": .uint16, "U32": .uint32, "BOOL": .bool,
    ]

    private static func code(for dtype: DType) -> String {
        switch dtype {
        case .float32: "F32"
        case .int64: "I64"
        case .bool: "BOOL"
        }
    }

    /// The first key that repeats within one object of valid JSON `text`, with its byte offset.
    ///
    /// `JSONSerialization` silently keeps one of two equal keys; the format forbids them.
    static func firstDuplicateKey(in text: UnsafeRawBufferPointer) -> (key: String, offset: Int)? {
        var objects: [Set<String>?] = []   // one per open bracket: the keys so far, nil for arrays
        var expectingKey = false
        var i = 0
        while i < text.count {
            switch text[i] {
            case UInt8(ascii: "{"): objects.append([]); expectingKey = true
            case UInt8(ascii: "["): objects.append(nil); expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = objects.popLast(); expectingKey = false
            case UInt8(ascii: ","): expectingKey = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                let first = i
                i += 1
                while i < text.count, text[i] != UInt8(ascii: "\"") { i += text[i] == UInt8(ascii: "\\") ? 2 : 1 }
                if expectingKey, i < text.count, let key = unescaped(text[(first + 1)..<i]) {
                    guard objects[objects.count - 1]?.insert(key).inserted != false else { return (key, first) }
                }
                expectingKey = false
            default: break
            }
            i += 1
        }
        return nil
    }

    /// The string a JSON string literal's inner bytes (valid UTF-8, as the JSON parsed) spell, escapes resolved.
    private static func unescaped(_ inner: Slice<UnsafeRawBufferPointer>) -> String? {
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        return try? JSONSerialization.jsonObject(with: Data([UInt8(ascii: "\"")] + inner + [UInt8(ascii: "\"")]),
                                                 options: .fragmentsAllowed) as? String
    }
}
