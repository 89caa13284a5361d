import Foundation

/// The text a language model learns from: files read as strict UTF-8 and concatenated with
/// nothing between.
///
/// The text is kept exactly as stored — a byte-order mark is a character like any other — so
/// that its characters are those Python's strict `utf-8` codec reads. Count characters with
/// `text.unicodeScalars.count` (Python's `len`); a Swift `Character` is a grapheme cluster and
/// may hold several code points.
///
/// ```swift
/// let corpus = try TextCorpus(directory: TextCorpus.fortunesDirectory)
/// let vocabulary = CharacterVocabulary(of: corpus.text)
/// ```
public struct TextCorpus {
    /// Where Debian's `fortunes` and `fortunes-min` packages put their fortune files.
    public static let fortunesDirectory = "/usr/share/games/fortunes"

    /// The concatenated text.
    public let text: String
    /// The paths that were read, in order.
    public let files: [String]

    /// Reads `paths` in order; a file that is not strict UTF-8 is an error naming its first bad byte.
    public init(paths: [String]) throws(DataError) {
        var bytes: [UInt8] = []
        for path in paths {
            guard !path.utf8.contains(0) else { throw DataError(path: path, reason: "path holds a NUL byte") }
            let data = try Self.contents(of: Array(path.utf8), path: path)
            let valid = UTF8Text.firstInvalidByte(data)
            guard valid == data.count else { throw DataError(path: path, reason: "not valid UTF-8 text at byte \(valid)") }
            bytes += data
        }
        guard !bytes.isEmpty else {
            throw DataError(path: paths.first ?? "", reason: paths.count > 1 ? "these \(paths.count) files hold no text" : "holds no text")
        }
        self.init(validUTF8: bytes, files: paths)
    }

    /// Reads a directory by the rule of the character-model workload: every regular file, in
    /// byte order of the names (Python's `sorted(os.listdir(...))` for UTF-8 names), skipping names
    /// that end in `.dat` (strfile indexes), symbolic links, anything that is not a regular file,
    /// and every file that is not strict UTF-8.
    public init(directory: String) throws(DataError) {
        var bytes: [UInt8] = [], files: [String] = []
        for name in try Self.sortedNames(in: directory) where !name.suffix(4).elementsEqual(".dat".utf8) {
            let rawPath = Array(directory.utf8) + [UInt8(ascii: "/")] + name
            let path = String(decoding: rawPath, as: UTF8.self)
            guard Self.isRegularFile(rawPath) else { continue }
            let data = try Self.contents(of: rawPath, path: path)
            guard UTF8Text.firstInvalidByte(data) == data.count else { continue }
            bytes += data
            files.append(path)
        }
        guard !bytes.isEmpty else { throw DataError(path: directory, reason: "holds no UTF-8 text file") }
        self.init(validUTF8: bytes, files: files)
    }

    private init(validUTF8 bytes: [UInt8], files: [String]) {
        text = String(decoding: bytes, as: UTF8.self)
        self.files = files
    }

    /// The names in `directory` (without `.` and `..`), as bytes, sorted bytewise.
    private static func sortedNames(in directory: String) throws(DataError) -> [[UInt8]] {
        guard !directory.utf8.contains(0) else { throw DataError(path: directory, reason: "path holds a NUL byte") }
        guard let stream = opendir(directory) else {
            throw DataError(path: directory, reason: "cannot open directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name != [0x2E] && name != [0x2E, 0x2E] { names.append(name) }
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Whether `rawPath` names a regular file itself, not a symbolic link to one.
    private static func isRegularFile(_ rawPath: [UInt8]) -> Bool {
        var info = stat()
        return withCString(rawPath) { lstat($0, &info) } == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The bytes of the file at `rawPath`, or an error naming `path`.
    private static func contents(of rawPath: [UInt8], path: String) throws(DataError) -> [UInt8] {
        let fd = withCString(rawPath) { open($0, O_RDONLY) }
        guard fd >= 0 else {
            throw DataError(path: path, reason: errno == ENOENT ? "no such file" : "cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw DataError(path: path, reason: "cannot be read: \(String(cString: strerror(errno)))") }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }

    /// Calls `body` with `rawPath` as a NUL-terminated C string.
    private static func withCString<R>(_ rawPath: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (rawPath + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }
}
