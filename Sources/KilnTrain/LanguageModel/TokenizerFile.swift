import Foundation
import KilnData

/// The tokenizer of a language-model run, saved in its folder beside the checkpoint:
/// `vocabulary.json` for characters (``VocabularyFile``), `tokenizer.bpe` for BPE merges
/// (``BytePairTokenizer/fileContents``); bytes need no file. The checkpoint's settings say which.
enum TokenizerFile {
    /// The file name of BPE merges inside a run folder.
    static let bytePairName = "tokenizer.bpe"

    /// The file called `name` beside the checkpoint at `checkpoint`.
    static func path(_ name: String, besideCheckpoint checkpoint: String) -> String {
        ((checkpoint as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// Writes `tokenizer`'s file beside the checkpoint at `checkpoint` (none for bytes), atomically.
    static func write(_ tokenizer: TextTokenizer, besideCheckpoint checkpoint: String) throws {
        switch tokenizer {
        case .characters(let vocabulary): try VocabularyFile.write(vocabulary, to: path(VocabularyFile.name, besideCheckpoint: checkpoint))
        case .bytes: break
        case .bytePairs(let merges): try merges.write(toFile: path(bytePairName, besideCheckpoint: checkpoint))
        }
    }

    /// The tokenizer of kind `choice` saved beside the checkpoint at `checkpoint`; a missing or
    /// damaged file is an error naming it.
    static func read(_ choice: TokenizerChoice, besideCheckpoint checkpoint: String) throws(DataError) -> TextTokenizer {
        switch choice {
        case .character: return .characters(try VocabularyFile.read(path(VocabularyFile.name, besideCheckpoint: checkpoint)))
        case .byte: return .bytes
        case .bpe: return .bytePairs(try BytePairTokenizer(contentsOfFile: path(bytePairName, besideCheckpoint: checkpoint)))
        }
    }
}
