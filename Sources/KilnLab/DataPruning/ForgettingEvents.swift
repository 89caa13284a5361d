/// Forgetting events of Toneva et al., "An Empirical Study of Example Forgetting during Deep
/// Neural Network Learning" (2019): each time an example is seen in a training batch its
/// classification is recorded, and a forgetting event is a change from correct to wrong between
/// two consecutive presentations.
///
/// Examples forgotten often are hard; examples learned once and never forgotten
/// ("unforgettable") can be dropped. Examples never classified correctly count as forgotten
/// infinitely often, as in the paper.
public struct ForgettingEvents: Sendable {
    /// Forgetting events so far, per example.
    public private(set) var events: [Int]
    /// Whether each example was classified correctly at its last presentation.
    private var lastCorrect: [Bool]
    /// Whether each example was ever classified correctly.
    private var learned: [Bool]

    /// No presentation yet of `count` examples.
    public init(count: Int) {
        events = Array(repeating: 0, count: count)
        lastCorrect = Array(repeating: false, count: count)
        learned = Array(repeating: false, count: count)
    }

    /// Records one presentation of the examples `indices`, classified correctly where `correct`.
    public mutating func record(indices: [Int], correct: [Bool]) {
        precondition(indices.count == correct.count, "ForgettingEvents.record: \(indices.count) indices for \(correct.count) outcomes")
        for (i, isCorrect) in zip(indices, correct) {
            if lastCorrect[i] && !isCorrect { events[i] += 1 }
            lastCorrect[i] = isCorrect
            learned[i] = learned[i] || isCorrect
        }
    }

    /// The difficulty score of each example: its forgetting events, or +∞ when it was never learned.
    public var scores: [Float] {
        zip(events, learned).map { count, wasLearned in wasLearned ? Float(count) : .infinity }
    }
}
