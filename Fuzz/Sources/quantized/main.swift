import CFuzzerDriver
import Foundation
import KilnLab

// libFuzzer target `quantized`. One input: a quantized model file (safetensors with integer codes,
// scales and the scheme in its metadata), read as `kiln lab quantize --load` reads it. A file that
// reads is then checked: encoded again from what it holds, it reads back the same tensors.

/// The bytes libFuzzer hands over, copied.
func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
    start.map { Data(bytes: $0, count: count) } ?? Data()
}

/// A tensor's elements as bit patterns, so that NaNs compare equal to themselves.
func bits(_ t: Tensor) -> [Int] {
    t.dtype == .float32 ? t.scalars.map { Int($0.bitPattern) } : t.dtype == .int64 ? t.integers : t.elements(as: Bool.self).map { $0 ? 1 : 0 }
}

exit(kiln_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { start, count in
    if let contents = try? QuantizedModelFile.decode(data(start, count), path: "input.safetensors"), !contents.layers.isEmpty {
        let again = try! QuantizedModelFile.decode(
            QuantizedModelFile.encode(stateDict: contents.stateDict, layers: contents.layers, method: contents.method, path: "copy.safetensors"),
            path: "copy.safetensors")
        precondition(again.stateDict.keys.sorted() == contents.stateDict.keys.sorted()
                     && contents.stateDict.allSatisfy { again.stateDict[$0.key].map(bits) == bits($0.value) },
                     "quantized: a file encoded again from what it holds reads back differently")
    }
    return 0
})
