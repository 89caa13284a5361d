import CFuzzerDriver
import Foundation
import KilnData

// libFuzzer target `tokenizer`. One input: a byte-pair tokenizer file, read as a run beside its
// checkpoint reads it. A tokenizer that reads is then checked: it encodes the input's own bytes
// and decodes them back unchanged, and its file, written and read again, gives the same tokenizer.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    let input = data(start, count)
    if let tokenizer = try? BytePairTokenizer(file: input, path: "input.bpe") {
        let bytes = Array(input)
        precondition(tokenizer.decode(tokenizer.encode(bytes)) == bytes, "tokenizer: encoding does not round-trip")
        precondition((try? BytePairTokenizer(file: tokenizer.fileContents, path: "copy.bpe")) == tokenizer,
                     "tokenizer: its own file does not read back the same")
    }
    return 0
})
