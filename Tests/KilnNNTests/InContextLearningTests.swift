import Foundation
import KilnNN
import KilnOptimizers
import KilnTestSupport
import Testing

/// One layer of linear self-attention (von Oswald et al. 2023, "Transformers learn in-context by
/// gradient descent"): context tokens `zᵢ = (xᵢ, yᵢ)`, a query token `(x_q, 0)`, and the prediction
/// the last coordinate of `(1/n)·Σᵢ (zᵢᵀ·W_KQ·z_q)·W_PV·zᵢ`.
private final class LinearSelfAttention: Module {
    @Parameter var keyQuery: Tensor
    @Parameter var projectionValue: Tensor

    init(width: Int, generator: RandomGenerator) {
        keyQuery = Tensor.normal([width, width], std: 0.1, generator: generator)
        projectionValue = Tensor.normal([width, width], std: 0.1, generator: generator)
        super.init()
    }

    override var inputArity: ClosedRange<Int> { 2...2 }

    /// Context tokens `[B, n, d+1]` and query tokens `[B, 1, d+1]` to predictions `[B]`.
    override func forward(_ inputs: [Tensor]) -> Tensor {
        let (context, query) = (inputs[0].unsqueezed(1), inputs[1].unsqueezed(1))
        let out = linearAttention(query: query.matmul(keyQuery.transposed()), key: context,
                                  value: context.matmul(projectionValue.transposed()),
                                  featureMap: { $0 }, normalization: .keyCount)
        let width = keyQuery.shape[0]
        return out.reshaped([-1, width]).select(axis: 1, width - 1)
    }

    /// The preconditioner Γ of the gradient-descent step the weights implement: the term of the
    /// prediction that is `p·(1/n)Σᵢ yᵢ·xᵢᵀ·A·x_q`, with `p` the value weight from y to y and `A` the
    /// x-to-x block of W_KQ, is `x_qᵀ·Γ·(1/n)Σᵢ yᵢxᵢ` with `Γ = p·Aᵀ`.
    var preconditioner: Tensor {
        let d = keyQuery.shape[0] - 1
        return keyQuery.slice(axis: 0, 0..<d).slice(axis: 1, 0..<d).transposed() * projectionValue.select(axis: 0, d).select(axis: 0, d)
    }
}

/// Random in-context regression tasks: `x ~ N(0, Σ)` with Σ diagonal, `w ~ N(0, I)`, `y = wᵀx`, n
/// context examples and one query each.
private struct RegressionTasks {
    static let variances: [Float] = [2, 1, 0.5, 0.25]
    static let dimension = 4, examples = 20

    let context: Tensor, query: Tensor, target: Tensor
    /// `(1/n)·Σᵢ yᵢxᵢ` `[B, d]` and `x_q` `[B, d]`.
    let correlation: Tensor, queryInput: Tensor

    init(count: Int, generator: RandomGenerator) {
        let (d, n) = (Self.dimension, Self.examples)
        let x = Tensor.normal([count, n + 1, d], generator: generator) * Tensor(Self.variances.map { $0.squareRoot() })
        let w = Tensor.normal([count, d, 1], generator: generator)
        let y = x.matmul(w)
        let (contextX, contextY) = (x.slice(axis: 1, 0..<n), y.slice(axis: 1, 0..<n))
        context = Tensor.concatenate([contextX, contextY], axis: 2)
        queryInput = x.select(axis: 1, n)
        query = Tensor.concatenate([queryInput, Tensor(zeros: [count, 1])], axis: 1).unsqueezed(1)
        target = y.select(axis: 1, n).reshaped([count])
        correlation = (contextX * contextY).mean(axis: 1)
    }

    /// One step of gradient descent from w = 0 on the context's squared loss, preconditioned by Γ:
    /// `x_qᵀ·Γ·(1/n)Σᵢ yᵢxᵢ`, for each task.
    func preconditionedStep(_ gamma: Tensor) -> Tensor {
        (queryInput * correlation.matmul(gamma.transposed())).sum(axis: 1)
    }
}

@Suite struct InContextLearningTests {
    /// Trained on random tasks, the layer predicts on fresh tasks as one step of preconditioned
    /// gradient descent with the Γ its weights encode (Ahn et al. 2023, "Transformers learn to
    /// implement preconditioned gradient descent for in-context learning"; Mahankali et al. 2023),
    /// and Γ is the optimal ((1 + 1/n)Σ + tr(Σ)/n·I)⁻¹ for `w ~ N(0, I)`. Plain gradient descent,
    /// even with its best step, predicts differently and worse, as Σ is not isotropic.
    @Test func linearSelfAttentionLearnsOneStepOfPreconditionedGradientDescent() {
        let generator = RandomGenerator(seed: 12)
        let width = RegressionTasks.dimension + 1
        let model = LinearSelfAttention(width: width, generator: generator)
        let optimizer = Adam(learningRate: 0.02)
        for step in 0..<500 {
            if step == 350 { optimizer.learningRate = 0.002 }
            let tasks = RegressionTasks(count: 256, generator: generator)
            let (_, gradients) = valueAndGradient(of: model) { m in
                let error = m(tasks.context, tasks.query) - tasks.target
                return (error * error).mean()
            }
            optimizer.update(model, along: gradients)
        }

        let (d, n) = (Double(RegressionTasks.dimension), Double(RegressionTasks.examples))
        let trace = RegressionTasks.variances.reduce(0, +)
        let optimal = RegressionTasks.variances.map { 1 / ((1 + 1 / n) * Double($0) + Double(trace) / n) }
        let gamma = model.preconditioner
        let expected = (0..<Int(d) * Int(d)).map { $0 / Int(d) == $0 % Int(d) ? Float(optimal[$0 % Int(d)]) : 0 }
        let gammaError = zip(gamma.scalars, expected).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
        let gammaNorm = expected.map { Double($0 * $0) }.reduce(0, +).squareRoot()
        #expect(gammaError < 0.1 * gammaNorm, "Γ \(gamma.scalars) vs optimal \(optimal)")

        let fresh = RegressionTasks(count: 4096, generator: RandomGenerator(seed: 99))
        let predicted = withoutGradient { model(fresh.context, fresh.query) }
        let descent = fresh.preconditionedStep(gamma)
        let plain = fresh.preconditionedStep(Tensor((0..<Int(d) * Int(d)).map { $0 / Int(d) == $0 % Int(d) ? Float(1) : 0 },
                                                    shape: [Int(d), Int(d)]))
        // The best step for plain gradient descent, by least squares on the fresh tasks.
        let bestStep = (plain * fresh.target).sum().item / (plain * plain).sum().item
        func rms(_ x: Tensor) -> Double { Double((x * x).mean().item).squareRoot() }
        let scale = rms(predicted)
        #expect(rms(predicted - descent) < 0.06 * scale, "attention vs preconditioned step: \(rms(predicted - descent) / scale)")
        #expect(rms(predicted - plain * bestStep) > 0.2 * scale, "plain step would pass too: \(rms(predicted - plain * bestStep) / scale)")
        let (attentionLoss, plainLoss) = (rms(predicted - fresh.target), rms(plain * bestStep - fresh.target))
        #expect(attentionLoss < 0.9 * plainLoss, "losses: attention \(attentionLoss), best plain step \(plainLoss)")
    }
}
