import Kiln
import KilnNN
import KilnOptimizers

/// One training step of the charlm anchor's GPT (anchors/charlm.py: d_model 128, 4 layers, 4 heads,
/// context 128, vocabulary 113) on a random batch of 32 × 128 tokens: forward, cross-entropy over
/// the 4,096 positions, backward, and AdamW over the anchor's two groups (decay 0.1 on matrices,
/// none on vectors). Reports the median step and each phase's median over 20 steps after 3 warm-ups.
enum GPTBench {
    static let (batch, context, vocabulary) = (32, 128, 113)

    static func run(_ report: BenchReport, steps: Int = 20, warmups: Int = 3) {
        let generator = RandomGenerator(seed: 0)
        let model = GPT(GPT.Configuration(vocabularySize: vocabulary), generator: generator)
        let optimizer = AdamW(groups: ParameterGroup.groups(of: model, decayingVectors: false), learningRate: 1e-3,
                              betas: (0.9, 0.95), epsilon: 1e-8, weightDecay: 0.1)
        var phases = [[Double]](repeating: [], count: 4)
        for step in 0..<(warmups + steps) {
            let ids = Tensor.randint([batch, context], high: vocabulary, generator: generator)
            let targets = Tensor.randint([batch * context], high: vocabulary, generator: generator)
            let t0 = Timing.now()
            let loss = crossEntropy(logits: model(ids).reshaped([batch * context, vocabulary]), labels: targets)
            let t1 = Timing.now()
            loss.backward()
            let t2 = Timing.now()
            optimizer.step()
            model.zeroGradients()
            let t3 = Timing.now()
            if step >= warmups {
                for (i, t) in [t1 - t0, t2 - t1, t3 - t2, t3 - t0].enumerated() { phases[i].append(t) }
            }
        }
        let (forward, backward, update, total) = (Timing.median(phases[0]), Timing.median(phases[1]),
                                                  Timing.median(phases[2]), Timing.median(phases[3]))
        report.add("gpt_step_charlm_b32_t128", [
            "ms_per_step": total * 1e3, "tokens_per_s": Double(batch * context) / total,
            "forward_ms": forward * 1e3, "backward_ms": backward * 1e3, "optimizer_ms": update * 1e3,
        ])
    }
}
