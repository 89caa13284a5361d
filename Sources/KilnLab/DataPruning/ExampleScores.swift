import Kiln
import KilnNN
import KilnOptimizers

/// The per-example difficulty scores of Paul, Ganguli and Dziugaite, "Deep Learning on a Data
/// Diet: Finding Important Examples Early in Training" (2021): examples with high scores early in
/// training are the ones worth keeping.
public enum ExampleScores {
    /// EL2N of each row, ‖softmax(logits) − onehot(label)‖₂: the error vector's L2 norm.
    ///
    /// The paper averages it over several short training runs (``ShortTraining``); for logits
    /// (2, 1, 0.1) and label 0 it is 0.4298.
    public static func el2n(logits: Tensor, labels: Tensor) -> [Float] {
        precondition(logits.rank == 2 && labels.shape == [logits.shape[0]],
                     "el2n: expects logits [N, C] and labels [N], got \(logits.shape) and \(labels.shape)")
        return withoutGradient {
            (logits.detached().softmax(axis: -1) - labels.oneHot(classes: logits.shape[1])).norm(axis: 1).scalars
        }
    }

    /// The norm of each row's gradient of the cross-entropy with respect to its logits, by
    /// autodiff: GraNd taken at the logits. The gradient is softmax − onehot, so this equals
    /// ``el2n(logits:labels:)``, the identity the paper's EL2N rests on.
    public static func logitGradientNorms(logits: Tensor, labels: Tensor) -> [Float] {
        let (_, gradient) = valueAndGradient(at: logits.detached()) { z in
            crossEntropy(logits: z, labels: labels, reduction: .sum)
        }
        return withoutGradient { gradient.norm(axis: 1).scalars }
    }

    /// GraNd of each example: the norm of the gradient of its own cross-entropy with respect to
    /// all of `model`'s trainable parameters, ‖∇_θ ℓ(f(xᵢ), yᵢ)‖₂ (one backward pass per example).
    ///
    /// The model is put in evaluation mode, so batch normalization uses its running statistics
    /// and dropout is off; it is left in evaluation mode.
    public static func gradientNorms(model: Module, inputs: Tensor, labels: Tensor) -> [Float] {
        precondition(inputs.shape.first == labels.shape.first && labels.rank == 1,
                     "gradientNorms: inputs \(inputs.shape) and labels \(labels.shape) must have one label per example")
        model.eval()
        return (0..<labels.shape[0]).map { i in
            let x = inputs.slice(axis: 0, i..<(i + 1)), y = labels.slice(axis: 0, i..<(i + 1))
            let (_, gradients) = valueAndGradient(of: model) { m in crossEntropy(logits: m(x), labels: y) }
            return Float(gradients.globalNorm)
        }
    }
}
