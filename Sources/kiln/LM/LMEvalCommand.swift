import ArgumentParser
import Foundation
import KilnTrain

/// `kiln lm eval CHECKPOINT`: validation loss and bits per character at multiples of the training context.
struct LMEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Validation loss of a language model at its training context and longer ones.",
        discussion: """
        By default at 1×, 2× and 4× the training context (length extrapolation); a model with learned \
        positions has no vector past its context and is evaluated at 1× only. The loss is per token; bits per character \
        are the total loss of the scored tokens over the characters of their text (each counted in the token holding its \
        first byte) divided by ln 2, so runs with character, byte and BPE tokenizers compare.
        """)

    @Argument(help: "A checkpoint written by kiln lm train (its tokenizer file beside it).") var checkpoint: String
    @Option(help: "Comma-separated multiples of the training context, such as 1,2,4.") var contextMultiple: String?
    @Option(parsing: .unconditional, help: "Threads for kernels and BLAS.") var threads: Int?
    @Flag(help: "Print the results as one JSON line.") var json = false

    func run() throws {
        if let threads { try RunLimits.check(threads: threads) }
        var multiples: [Int]?
        if let contextMultiple {
            let parts = contextMultiple.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                throw CommandError("--context-multiple takes whole numbers separated by commas, got '\(contextMultiple)'")
            }
            multiples = parts.map { $0! }
        }
        let (results, note) = try Threads.withCount(threads ?? Threads.count) { () throws -> ([CharacterLanguageModel.ContextEvaluation], String?) in
            let lm = try CharacterLanguageModel(checkpoint: checkpoint)
            if let multiples { return (try lm.evaluate(contextMultiples: multiples), nil) }
            if lm.settings.positions.extrapolates { return (try lm.evaluate(contextMultiples: [1, 2, 4]), nil) }
            return (try lm.evaluate(contextMultiples: [1]),
                    "learned positions cannot extrapolate past the training context of \(lm.settings.context); 2× and 4× left out")
        }
        if json {
            let rows = results.map { ["multiple": $0.multiple, "context": $0.context, "windows": $0.windows,
                                      "val_loss": ($0.loss * 1e6).rounded() / 1e6, "bits_per_char": ($0.bitsPerCharacter * 1e6).rounded() / 1e6] as [String: Any] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: ["results": rows], options: [.sortedKeys]), as: UTF8.self))
        } else {
            for r in results {
                print(String(format: "context %d (%d×): validation loss %.4f  bits per character %.4f  (%d windows)",
                             r.context, r.multiple, r.loss, r.bitsPerCharacter, r.windows))
            }
        }
        if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    }
}
