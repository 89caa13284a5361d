import Kiln
import KilnData
import KilnNN
import KilnOptimizers

/// The brief supervised training the lab's experiments share: a classifier fitted on chosen rows
/// of an in-memory dataset with AdamW and cosine annealing over a fixed number of steps, the rows
/// reshuffled each pass. It reports each batch's row indices and logits to an observer, which is
/// what forgetting events need.
public struct ShortTraining: Sendable {
    /// Optimizer steps in all.
    public var steps: Int
    /// Examples per batch (the last batch of a pass may be smaller).
    public var batchSize: Int
    /// AdamW's peak learning rate, annealed by a cosine to zero over ``steps``.
    public var learningRate: Double
    /// AdamW's decoupled weight decay.
    public var weightDecay: Double

    /// A training of `steps` steps of `batchSize` examples at peak rate `learningRate`.
    public init(steps: Int, batchSize: Int = 128, learningRate: Double = 1e-3, weightDecay: Double = 1e-2) {
        precondition(steps > 0 && batchSize > 0, "ShortTraining: steps \(steps) and batchSize \(batchSize) must be positive")
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// The steps that make `epochs` passes over `rows` examples.
    public static func steps(epochs: Int, rows: Int, batchSize: Int) -> Int {
        epochs * ((rows + batchSize - 1) / batchSize)
    }

    /// Trains `model` on the examples `rows` of `data` (labels `[N]` int64), drawing each pass's
    /// order from `generator`; `observe(indices, logits)` sees every batch's rows and outputs.
    public func fit(_ model: Module, on data: TensorDataset, rows: [Int], generator: RandomGenerator,
                    observe: ((_ indices: [Int], _ logits: Tensor) -> Void)? = nil) {
        precondition(!rows.isEmpty, "ShortTraining.fit: no rows to train on")
        let optimizer = AdamW(learningRate: learningRate, weightDecay: weightDecay)
        let schedule = CosineAnnealing(peak: learningRate, steps: steps)
        model.train()
        var step = 0
        while step < steps {
            let order = Tensor.randomPermutation(rows.count, generator: generator).integers
            var start = 0
            while start < order.count && step < steps {
                let indices = order[start..<min(start + batchSize, order.count)].map { rows[$0] }
                start += batchSize
                let (x, y) = data.batch(at: indices)
                var logits: Tensor?
                let (_, gradients) = valueAndGradient(of: model) { m in
                    let out = m(x)
                    logits = out
                    return crossEntropy(logits: out, labels: y)
                }
                observe?(indices, logits!.detached())
                optimizer.learningRate = schedule(step)
                optimizer.update(model, along: gradients)
                step += 1
            }
        }
    }

    /// The fraction of `data`'s examples `model` classifies correctly, in evaluation mode.
    public static func accuracy(of model: Module, on data: TensorDataset, batchSize: Int = 1000) -> Double {
        var correct = 0
        forEachBatch(of: model, on: data, batchSize: batchSize) { _, logits, labels in
            correct += Correctness.of(logits, labels).filter { $0 }.count
        }
        return Double(correct) / Double(max(data.count, 1))
    }

    /// Runs `model` in evaluation mode, without gradients, over `data` in order, calling
    /// `body(range, logits, labels)` for each batch.
    public static func forEachBatch(of model: Module, on data: TensorDataset, batchSize: Int = 1000,
                                    _ body: (_ rows: Range<Int>, _ logits: Tensor, _ labels: Tensor) -> Void) {
        model.eval()
        withoutGradient {
            var start = 0
            while start < data.count {
                let rows = start..<min(start + batchSize, data.count)
                body(rows, model(data.inputs.slice(axis: 0, rows)), data.targets.slice(axis: 0, rows))
                start = rows.upperBound
            }
        }
    }
}

/// Whether each row's largest logit is at its label.
enum Correctness {
    static func of(_ logits: Tensor, _ labels: Tensor) -> [Bool] {
        zip(logits.argmax(axis: 1).integers, labels.integers).map { $0 == $1 }
    }
}
