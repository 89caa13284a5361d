import Foundation
import Kiln

/// The checks every classification metric makes on its inputs, and the per-row loops that turn
/// scores into classes and probabilities.
enum ClassificationInput {
    /// Whether `outputs` are float scores `[N, C]` or int64 classes `[N]` for int64 labels `targets` `[N]`.
    static func checkShapes(_ metric: String, _ outputs: Tensor, _ targets: Tensor, allowClassIndices: Bool) {
        let labelsFit = targets.dtype == .int64 && targets.rank == 1
        let n = labelsFit ? targets.shape[0] : -1
        let scoresFit = outputs.dtype == .float32 && outputs.rank == 2 && outputs.shape[0] == n && outputs.shape[1] > 0
        let classesFit = allowClassIndices && outputs.dtype == .int64 && outputs.shape == [n]
        precondition(labelsFit && (scoresFit || classesFit),
                     "\(metric): outputs of \(describe(outputs)) and targets of \(describe(targets)) do not fit; "
                     + "expected float32 scores [N, C]\(allowClassIndices ? " or int64 classes [N]" : "") and int64 labels [N]")
    }

    /// Checks that the score columns of `outputs`, if any, match the metric's class count.
    static func checkClassCount(_ metric: String, _ outputs: Tensor, _ targets: Tensor, classes: Int) {
        guard outputs.rank == 2 else { return }
        precondition(outputs.shape[1] == classes,
                     "\(metric): outputs of \(describe(outputs)) hold \(outputs.shape[1]) classes, expected \(classes) "
                     + "(targets of \(describe(targets)))")
    }

    /// Checks that every value in `values` names one of `classes` classes (or is ``unscored``, for predictions).
    static func checkRange(_ metric: String, _ what: String, _ values: UnsafeBufferPointer<Int>, classes: Int, shape: [Int]) {
        for v in values where (v < 0 || v >= classes) && !(what == "predicted class" && v == unscored) {
            preconditionFailure("\(metric): \(what) \(v) out of range for \(classes) classes (shape \(shape))")
        }
    }

    /// The labels of `targets` and the predicted class of each sample in `outputs`: the first
    /// maximum of each row of float scores, or the int64 classes as given. A row of scores
    /// holding a NaN has no prediction: its class is ``unscored``.
    ///
    /// `classes` is the metric's class count when it has one, otherwise the score width.
    static func predictions(_ metric: String, _ outputs: Tensor, _ targets: Tensor,
                            classes: Int?) -> (predicted: [Int], labels: [Int]) {
        checkShapes(metric, outputs, targets, allowClassIndices: true)
        if let classes { checkClassCount(metric, outputs, targets, classes: classes) }
        let labels = targets.integers
        let n = labels.count
        let predicted: [Int]
        if outputs.dtype == .int64 {
            predicted = outputs.integers
        } else {
            let c = outputs.shape[1]
            predicted = outputs.withUnsafeFloats { s in
                [Int](unsafeUninitializedCapacity: n) { out, initialized in
                    for i in 0..<n { out[i] = predictedClass(s.baseAddress! + i * c, c) ?? unscored }
                    initialized = n
                }
            }
        }
        if let bound = classes ?? (outputs.rank == 2 ? outputs.shape[1] : nil) {
            labels.withUnsafeBufferPointer { checkRange(metric, "label", $0, classes: bound, shape: targets.shape) }
            predicted.withUnsafeBufferPointer { checkRange(metric, "predicted class", $0, classes: bound, shape: outputs.shape) }
        }
        return (predicted, labels)
    }

    /// Calls `body` with the float scores `[N, C]` of `outputs`, the labels of `targets` and `C`, after checking them.
    static func withScores<R>(_ metric: String, _ outputs: Tensor, _ targets: Tensor, classes: Int? = nil,
                              _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Int>, Int) -> R) -> R {
        checkShapes(metric, outputs, targets, allowClassIndices: false)
        if let classes { checkClassCount(metric, outputs, targets, classes: classes) }
        let c = outputs.shape[1]
        let labels = targets.integers
        return labels.withUnsafeBufferPointer { y in
            checkRange(metric, "label", y, classes: c, shape: targets.shape)
            return outputs.withUnsafeFloats { s in body(s, y, c) }
        }
    }

    /// The predicted class of a row of scores holding a NaN.
    static let unscored = -1

    /// The index of the first largest of `count` values, or nil when one of them is NaN.
    static func predictedClass(_ row: UnsafePointer<Float>, _ count: Int) -> Int? {
        for j in 0..<count where row[j].isNaN { return nil }
        return argmax(row, count)
    }

    /// The index of the first largest of `count` values (NaNs are never the largest).
    static func argmax(_ row: UnsafePointer<Float>, _ count: Int) -> Int {
        var best = 0
        for j in 1..<count where row[j] > row[best] { best = j }
        return best
    }

    /// Writes the probabilities of one row of scores into `out`: a softmax of logits (in Double,
    /// stable under large logits) or the probabilities as given.
    static func probabilities(_ row: UnsafePointer<Float>, _ count: Int, _ kind: ScoreKind,
                              into out: UnsafeMutablePointer<Double>) {
        switch kind {
        case .probabilities:
            for j in 0..<count { out[j] = Double(row[j]) }
        case .logits:
            let top = Double(row[argmax(row, count)])
            var total = 0.0
            for j in 0..<count {
                let e = exp(Double(row[j]) - top)
                out[j] = e
                total += e
            }
            let scale = 1 / total
            for j in 0..<count { out[j] *= scale }
        }
    }

    /// "shape [4, 3] (float32)", for messages.
    static func describe(_ t: Tensor) -> String { "shape \(t.shape) (\(t.dtype))" }
}
