import Foundation
import Kiln
import KilnNN
import KilnOptimizers

/// One training step of the charlm anchor's GPT (anchors/charlm.py: d_model 128, 4 layers, 4 heads,
/// context 128, vocabulary 113) on a random batch of 32 × 128 tokens: forward, cross-entropy over
/// the 4,096 positions, backward, and AdamW over the anchor's two groups (decay 0.1 on matrices,
/// none on vectors). Reports the median step and each phase's median over 20 steps after 3 warm-ups,
/// and the median process CPU time per step (on a busy machine, with one thread, the closer guide to
/// the step time of a quiet one).
enum GPTBench {
    static let (batch, context, vocabulary) = (32, 128, 113)

    static func run(_ report: BenchReport, steps: Int = 20, warmups: Int = 3) {
        let generator = RandomGenerator(seed: 0)
        let model = GPT(GPT.Configuration(vocabularySize: vocabulary), generator: generator)
        let optimizer = AdamW(groups: ParameterGroup.groups(of: model, decayingVectors: false), learningRate: 1e-3,
                              betas: (0.9, 0.95), epsilon: 1e-8, weightDecay: 0.1)
        var phases = [[Double]](repeating: [], count: 5)
        for step in 0..<(warmups + steps) {
            let ids = Tensor.randint([batch, context], high: vocabulary, generator: generator)
            let targets = Tensor.randint([batch * context], high: vocabulary, generator: generator)
            let cpu0 = processSeconds(), t0 = Timing.now()
            let loss = crossEntropy(logits: model(ids).reshaped([batch * context, vocabulary]), labels: targets)
            let t1 = Timing.now()
            loss.backward()
            let t2 = Timing.now()
            optimizer.step()
            model.zeroGradients()
            let t3 = Timing.now(), cpu3 = processSeconds()
            if step >= warmups {
                for (i, t) in [t1 - t0, t2 - t1, t3 - t2, t3 - t0, cpu3 - cpu0].enumerated() { phases[i].append(t) }
            }
        }
        let (forward, backward, update, total) = (Timing.median(phases[0]), Timing.median(phases[1]),
                                                  Timing.median(phases[2]), Timing.median(phases[3]))
        let cpu = Timing.median(phases[4])
        report.add("gpt_step_charlm_b32_t128", [
            "ms_per_step": total * 1e3, "tokens_per_s": Double(batch * context) / total,
            "forward_ms": forward * 1e3, "backward_ms": backward * 1e3, "optimizer_ms": update * 1e3,
            "cpu_ms_per_step": cpu * 1e3,
        ])
    }

    /// CPU seconds used by the whole process so far (all threads).
    private static func processSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
