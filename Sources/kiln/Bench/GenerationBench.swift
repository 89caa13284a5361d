import Kiln
import KilnNN

/// How `kiln bench generation` runs: new tokens per run and timed runs per sampler.
struct GenerationBenchSettings {
    /// New tokens drawn in each run.
    var tokens = 256
    /// Timed runs of each sampler, after one warm-up run each.
    var runs = 7
}

/// Batch-1 generation with the key/value cache on the charlm anchor's GPT (random weights, seed 0,
/// vocabulary 113), its learned position table long enough for the prompt and the new tokens:
/// tokens/s over a whole run (a 16-token prompt, then `tokens` new ones), greedy and top-40
/// sampling at temperature 1, median of `runs` runs taken in turns. scripts/bench/generation_torch.py
/// times the same loop in PyTorch.
enum GenerationBench {
    static let promptLength = 16
    static let topK = 40

    static func run(_ report: BenchReport, settings: GenerationBenchSettings) {
        var configuration = GPT.Configuration(vocabularySize: 113)
        configuration.contextLength = promptLength + settings.tokens
        let model = GPT(configuration, generator: RandomGenerator(seed: 0))
        model.eval()
        let prompt = Tensor.randint([1, promptLength], high: configuration.vocabularySize, generator: RandomGenerator(seed: 1))
        let samplers = [("greedy", { Sampler(temperature: 0, generator: RandomGenerator(seed: 2)) }),
                        ("top_\(topK)", { Sampler(temperature: 1, topK: topK, generator: RandomGenerator(seed: 2)) })]
        let bodies: [() -> Void] = samplers.map { _, makeSampler in
            { _ = generate(model: model, prompt: prompt, count: settings.tokens, sampler: makeSampler()) }
        }
        let times = Timing.interleavedSecondsPerCall(rounds: settings.runs, bodies)
        for ((name, _), seconds) in zip(samplers, times) {
            report.add("generation_\(name)", ["tokens_per_s": Double(settings.tokens) / seconds,
                                              "ms_per_token": seconds / Double(settings.tokens) * 1e3,
                                              "new_tokens": Double(settings.tokens), "prompt_tokens": Double(promptLength)])
        }
    }
}
