import Foundation
import Testing

/// Replays the committed inputs of `Inputs/<target>/` through the readers: inputs that once
/// crashed a fuzz target, and the nastiest ones met while fuzzing. Each must be read, or be
/// refused with the expected one-line error; none may trap.
@Suite struct FuzzRegressionTests {
    /// What reading an input must give.
    enum Outcome {
        /// Read without an error.
        case reads
        /// An error whose one-line description contains the text.
        case fails(String)
    }

    /// Every committed input with its outcome. The `crash-*` inputs are the fuzzer's own files,
    /// named by their SHA-1; the others were written by hand after a reader's checks.
    static let inputs: [(target: String, file: String, outcome: Outcome)] = [
        // Found by the schedule target: `wsd` with the default decay fraction (0.2) and one step
        // (`steps=1\0\0\0\0\02`, read as 1) left no decay step and trapped in WarmupStableDecay's
        // precondition. Now the NUL is refused first; the next input keeps the wsd case covered.
        ("schedule", "crash-4888afb16fea74dae5fc2bad916500a3e81919d2", .fails("field 'steps' = '1\\0\\0\\0\\0\\02' is not a whole number")),
        ("schedule", "wsd_default_decay_two_steps.txt",
         .fails("field 'steps' must be large enough that decay = 0.2 of them rounds to at least one decay step")),
        ("safetensors", "header_length_max.safetensors",
         .fails("header length 18446744073709551615 at byte 0 exceeds the limit of 100000000 bytes")),
        ("safetensors", "offsets_past_end.safetensors", .fails("tensor 'w': 9223372036854775807 data bytes for shape [2] of F32")),
        ("safetensors", "shape_product_overflow.safetensors",
         .fails("shape [4294967296, 4294967296, 4294967296]: element count overflows a 64-bit integer")),
        ("npy", "shape_product_overflow.npy", .fails("shape [9223372036854775807, 2] at byte 10: element count overflows")),
        ("npy", "negative_dimension.npy", .fails("negative dimension -1 at byte 61")),
        ("npz", "directory_past_end.npz", .fails("central directory at byte 1240 (51 bytes) runs past the end record at byte 218")),
        ("idx", "dimension_product_overflow.idx",
         .fails("shape [4294967295, 4294967295, 4294967295, 4294967295] at byte 4: element count overflows")),
        // 8 MiB of zeros from 8 KB: read whole (the bound on inflated size is 4 GiB by default).
        ("gzip", "zeros_8mib.gz", .reads),
        ("gzip", "truncated.gz", .fails("truncated compressed stream (ends at byte 30 of 30 compressed bytes)")),
        // Features are standardized in Double, so a value beyond Float32 among ordinary ones is read.
        ("csv", "float32_overflow.csv", .reads),
        ("csv", "absurd_label.csv", .fails("label '1e300' is not a class number")),
        // 100,000 `[`: refused before the YAML parser, whose recursion would overflow the stack.
        ("settings", "deep_nesting.yaml", .fails("nests more than 64 levels deep at line 1")),
        // Nine levels of nine aliases (9⁹ nodes if expanded): refused at the first wrong type, unexpanded.
        ("settings", "alias_bomb.yaml", .fails("setting 'model' must be a string, got a list")),
        // Swift's Double("1\0…") and Float read up to a NUL and drop the rest: such numbers were read as 100 and 1.
        ("schedule", "nul_inside_number.txt", .fails("field 'steps' = '100\\00' is not a whole number")),
        ("csv", "nul_inside_number.csv", .fails("line 2 column 'a': '1\\05' is text")),
        ("runlog", "step_beyond_maximum.jsonl", .fails("input.jsonl:2: 'step' 10000001.0 is not an integer from 0 to 10000000")),
        // Each merge may double a token: 256 bytes, the longest chunk, reads; one more doubling does not.
        ("tokenizer", "longest_tokens.bpe", .reads),
        ("tokenizer", "doubling_chain.bpe", .fails("input.bpe:11: token 264 would be 512 bytes long; the limit is 256")),
        ("tokenizer", "merge_refers_ahead.bpe", .fails("input.bpe:3: merge 0 makes token 256 and may only join tokens below it, not 256 and 97")),
        ("tokenizer", "merge_count_beyond_limit.bpe", .fails("input.bpe:2: expected 'merges N' with N from 0 to 1048576")),
    ]

    static var folder: URL {
        guard let url = Bundle.module.url(forResource: "Inputs", withExtension: nil) else { fatalError("Inputs folder is missing") }
        return url
    }

    @Test(arguments: inputs.indices)
    func replays(_ index: Int) throws {
        let (target, file, outcome) = Self.inputs[index]
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(target).appendingPathComponent(file))
        let error = FuzzReplay.read(data, target: target)
        switch (outcome, error) {
        case (.reads, nil): break
        case (.reads, let error?): Issue.record("\(target)/\(file) should be read, failed: \(error)")
        case (.fails, nil): Issue.record("\(target)/\(file) should fail, was read")
        case (.fails(let expected), let error?):
            let message = "\(error)"
            #expect(!message.contains("\n"), "\(target)/\(file): error is not one line: \(message)")
            #expect(message.contains(expected), "\(target)/\(file): \(message)")
        }
    }

    /// No committed input goes unreplayed: every file of `Inputs/` is in the table, and every
    /// folder is a fuzz target.
    @Test func everyInputIsListed() throws {
        let manager = FileManager.default
        var found: Set<String> = []
        for target in try manager.contentsOfDirectory(atPath: Self.folder.path) {
            #expect(FuzzReplay.targets.contains(target), "Inputs/\(target) is not a fuzz target")
            for file in try manager.contentsOfDirectory(atPath: Self.folder.appendingPathComponent(target).path) {
                found.insert("\(target)/\(file)")
            }
        }
        #expect(found == Set(Self.inputs.map { "\($0.target)/\($0.file)" }))
    }
}
