import Kiln
import KilnTrain

/// The difficulty score a pruning run ranks the training examples by.
public enum PruningScore: String, NamedChoice {
    /// ``ExampleScores/el2n(logits:labels:)`` after a short training, averaged over runs.
    case el2n
    /// ``ExampleScores/gradientNorms(model:inputs:labels:)`` after a short training, averaged over runs.
    case grand
    /// ``ForgettingEvents`` counted over the short training runs' batches, summed over runs.
    case forgetting
    /// ``PrototypeDistance`` of the examples' penultimate-layer features after a short training.
    case prototype

    public static let setting = "score"
}

/// Which end of the score ranking a pruned training set keeps.
public enum KeptExamples: String, NamedChoice {
    /// The highest scores: the hard examples (the Data Diet's choice for large datasets).
    case hard
    /// The lowest scores: the easy examples (better when little data is kept, as Sorscher et al. find).
    case easy

    public static let setting = "keep"

    /// The indices of the `Int((fraction · scores.count).rounded())` examples this end keeps,
    /// ascending; equal scores are broken by the lower index.
    public func select(_ scores: [Float], fraction: Double) -> [Int] {
        precondition(fraction > 0 && fraction <= 1, "KeptExamples.select: fraction must be in (0, 1], got \(fraction)")
        let count = Int((fraction * Double(scores.count)).rounded())
        let order = scores.indices.sorted { a, b in
            if scores[a] != scores[b] { return self == .hard ? scores[a] > scores[b] : scores[a] < scores[b] }
            return a < b
        }
        return order.prefix(count).sorted()
    }
}

/// A uniformly random `fraction` of `count` examples (the baseline every pruning score must beat),
/// ascending.
public func randomSubset(of count: Int, fraction: Double, generator: RandomGenerator) -> [Int] {
    precondition(fraction > 0 && fraction <= 1, "randomSubset: fraction must be in (0, 1], got \(fraction)")
    let kept = Int((fraction * Double(count)).rounded())
    return Tensor.randomPermutation(count, generator: generator).integers.prefix(kept).sorted()
}
