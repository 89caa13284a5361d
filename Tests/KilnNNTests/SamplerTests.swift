import Foundation
import KilnNN
import KilnTestSupport
import Testing

@Suite struct SamplerTests {
    /// log of the probabilities 0.1, 0.4, 0.2, 0.3, shifted by a constant the softmax ignores.
    private static let logits = Tensor([0.1, 0.4, 0.2, 0.3].map { Float(log($0)) + 2 }, shape: [1, 4])

    private func probabilities(topK: Int? = nil, topP: Float? = nil, temperature: Float = 1) -> [Float] {
        Sampler(temperature: temperature, topK: topK, topP: topP, generator: RandomGenerator(seed: 0))
            .probabilities(logits: Self.logits).scalars
    }

    @Test func topKAndTopPKeepExactlyTheirSupport() {
        expectClose(probabilities(), [0.1, 0.4, 0.2, 0.3], relative: 1e-6)
        expectClose(probabilities(topK: 2), [0, 0.4 / 0.7, 0, 0.3 / 0.7], relative: 1e-6)
        expectClose(probabilities(topK: 1), [0, 1, 0, 0], relative: 1e-6)
        // Nucleus: the fewest most likely tokens reaching the mass: 0.4 + 0.3 ≥ 0.5; 0.4 + 0.3 + 0.2 ≥ 0.75; 0.4 ≥ 0.35.
        expectClose(probabilities(topP: 0.5), [0, 0.4 / 0.7, 0, 0.3 / 0.7], relative: 1e-6)
        expectClose(probabilities(topP: 0.75), [0, 0.4 / 0.9, 0.2 / 0.9, 0.3 / 0.9], relative: 1e-6)
        expectClose(probabilities(topP: 0.35), [0, 1, 0, 0], relative: 1e-6)
        // Exactly reaching the mass is enough: of two equal tokens the first (lower id) alone holds 0.5.
        let even = Sampler(topP: 0.5, generator: RandomGenerator(seed: 0)).probabilities(logits: Tensor([3, 3] as [Float], shape: [1, 2]))
        #expect(even.scalars == [1, 0])
        // Top-k first, then the nucleus of what is left: 0.4/0.7 ≥ 0.5.
        expectClose(probabilities(topK: 2, topP: 0.5), [0, 1, 0, 0], relative: 1e-6)
        // Temperature 2 takes square roots of the probabilities before normalizing.
        let roots = [0.1, 0.4, 0.2, 0.3].map { Float($0.squareRoot()) }, total = roots.reduce(0, +)
        expectClose(probabilities(temperature: 2), roots.map { $0 / total }, relative: 1e-6)
    }

    @Test func drawsStayInTheSupportAndFollowTheGenerator() {
        let batch = Tensor.concatenate(Array(repeating: Self.logits, count: 500), axis: 0)
        let draws = Sampler(topK: 2, generator: RandomGenerator(seed: 1)).sample(logits: batch).integers
        #expect(Set(draws) == [1, 3])
        // 500 draws of p = 4/7: the count of 1s is within 4.5 standard deviations (≈ 50) of 286.
        #expect(abs(draws.filter { $0 == 1 }.count - 286) < 50)
        #expect(Sampler(topK: 2, generator: RandomGenerator(seed: 1)).sample(logits: batch).integers == draws)
    }

    @Test func temperatureZeroIsGreedy() {
        let logits = Tensor([0.3, 2, 2, -1, 5, 0, 1, 4.9] as [Float], shape: [2, 4])
        let sampler = Sampler(temperature: 0, generator: RandomGenerator(seed: 2))
        #expect(sampler.sample(logits: logits).integers == [1, 0])
        #expect(sampler.probabilities(logits: logits).scalars == [0, 1, 0, 0, 1, 0, 0, 0])
    }

    /// τ_t = max(1 + τmax − e^(t/d), τmin): τmax first, then falling to rest at τmin.
    @Test func exploratoryAnnealingFollowsThePapersSchedule() {
        let schedule = TemperatureSchedule.exploratoryAnnealing(maximum: 1.2, minimum: 0.1, decay: 10)
        #expect(schedule.temperature(at: 0) == 1.2)
        expectClose(Double(schedule.temperature(at: 5)), 2.2 - exp(0.5), relative: 1e-6)
        expectClose(Double(schedule.temperature(at: 7)), 2.2 - exp(0.7), relative: 1e-6)
        #expect(schedule.temperature(at: 8) == 0.1 && schedule.temperature(at: 100) == 0.1)
        let temperatures = (0..<20).map(schedule.temperature(at:))
        #expect(zip(temperatures, temperatures.dropFirst()).allSatisfy { $0 >= $1 })
    }

    /// Greedy generation through the cache picks, at every step, the argmax of the full forward on all tokens so far.
    @Test func greedyGenerationFollowsTheFullForward() {
        var c = GPT.Configuration(vocabularySize: 7)
        (c.contextLength, c.dimension, c.layers, c.heads, c.positions) = (12, 8, 2, 2, .rotary())
        let model = GPT(c, generator: RandomGenerator(seed: 4))
        for p in model.parameters() { p.value = p.value * 20 }   // sharper logits than the N(0, 0.02²) start
        let prompt = Tensor([1, 5, 2, 0, 0, 6] as [Int], shape: [2, 3])
        let generated = generate(model: model, prompt: prompt, count: 6, sampler: Sampler(temperature: 0, generator: RandomGenerator(seed: 0)))
        #expect(generated.shape == [2, 9])
        #expect(generated.slice(axis: 1, 0..<3).integers == prompt.integers)
        for t in 3..<9 {
            let logits = withoutGradient { model(generated.slice(axis: 1, 0..<t)) }
            #expect(logits.select(axis: 1, t - 1).argmax(axis: -1).integers == generated.select(axis: 1, t).integers, "token \(t)")
        }
        #expect(model.isTraining)
        // Annealed from 5 with decay 1: 5, 6 − e, then max(6 − e², 0) = 0, so greedy from generated token 2 on.
        let cooling = Sampler(schedule: .exploratoryAnnealing(maximum: 5, minimum: 0, decay: 1), generator: RandomGenerator(seed: 3))
        let cooled = generate(model: model, prompt: prompt, count: 6, sampler: cooling)
        for t in 5..<9 {
            let logits = withoutGradient { model(cooled.slice(axis: 1, 0..<t)) }
            #expect(logits.select(axis: 1, t - 1).argmax(axis: -1).integers == cooled.select(axis: 1, t).integers, "token \(t)")
        }
        let annealed = Sampler(schedule: .exploratoryAnnealing(maximum: 1.5, minimum: 0.3, decay: 4), topP: 0.9, generator: RandomGenerator(seed: 7))
        let again = Sampler(schedule: annealed.temperature, topP: 0.9, generator: RandomGenerator(seed: 7))
        #expect(generate(model: model, prompt: prompt, count: 5, sampler: annealed).integers
                == generate(model: model, prompt: prompt, count: 5, sampler: again).integers)
    }
}
