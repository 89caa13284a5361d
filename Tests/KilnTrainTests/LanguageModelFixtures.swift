import Foundation
@testable import KilnTrain

/// A small corpus written for the language-model tests: one file of repeated sentences (1,152
/// characters, vocabulary of 29) followed by `tail`, in a fresh folder named for `name`.
func languageModelCorpus(_ name: String, tail: String = "") throws -> String {
    let folder = temporaryPath("lm-corpus-\(name)")
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let sentences = ["the quick brown fox jumps over the lazy dog.\n", "a lazy dog sleeps in the sun.\n", "quick foxes run far.\n"]
    let text = (0..<36).map { sentences[$0 % 3] }.joined() + tail
    try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/sentences"))
    return folder
}

/// Tiny-model settings on the corpus of `name`: 2 layers, 2 heads, dimension 16, context 16,
/// batches of 8, `steps` steps with a 5-step warm-up, validation every 15 steps.
func tinyLanguageModelSettings(_ name: String, steps: Int = 30, positions: PositionChoice = .learned) throws -> LanguageModelSettings {
    var s = LanguageModelSettings()
    s.corpus = try languageModelCorpus(name)
    s.layers = 2
    s.heads = 2
    s.dimension = 16
    s.context = 16
    s.positions = positions
    s.steps = steps
    s.batchSize = 8
    s.lr = 1e-2
    s.minLR = 1e-3
    s.warmup = 5
    s.evalEvery = 15
    s.logEvery = 5
    s.threads = 1
    return s
}

/// A quiet run of `settings` in a fresh output folder named for `name`.
func tinyLanguageModelRun(_ settings: LanguageModelSettings, name: String) throws -> LanguageModelRun {
    let out = temporaryPath("lm-runs-\(name)")
    try? FileManager.default.removeItem(atPath: out)
    let run = try LanguageModelRun(settings: settings, out: out, name: "run")
    run.showsProgress = false
    return run
}
