/// A token sequence split for next-token prediction and cut into windows, as the character
/// language-model workload batches it.
///
/// - split: the first `Int(trainFraction · count)` tokens train, the rest validate (Python's
///   `int(0.9 * len)` for the default fraction);
/// - training batches: `size` windows of `context + 1` tokens, each starting at an offset drawn
///   uniformly from `0...(train.count − context − 1)`; inputs are a window's first `context`
///   tokens, targets its last `context`;
/// - validation: the windows that do not overlap, window `k` with inputs
///   `validation[context·k ..< context·k + context]` and targets one token further on, the
///   incomplete tail dropped: `(validation.count − 1) / context` windows.
///
/// Inputs and targets are int64 `[batch, context]` tensors.
///
/// ```swift
/// let data = try NextTokenWindows(tokens: ids, context: 128, source: TextCorpus.fortunesDirectory)
/// let batch = data.trainingBatch(size: 32, generator: generator)
/// for batch in data.validationBatches(size: 64) { ... }
/// ```
public struct NextTokenWindows {
    /// The number of input tokens in a window; targets are the next token at each position.
    public let context: Int
    /// The tokens that training windows are drawn from.
    public let train: [Int]
    /// The tokens that are cut into validation windows.
    public let validation: [Int]

    /// Splits `tokens` into the first `Int(trainFraction · tokens.count)` for training and the rest
    /// for validation; each part must hold at least one window of `context + 1` tokens. `source`
    /// names the tokens in errors.
    public init(tokens: [Int], context: Int, trainFraction: Double = 0.9, source: String) throws(DataError) {
        guard trainFraction > 0 && trainFraction < 1 else {
            throw DataError(path: source, reason: "train fraction \(trainFraction) must lie strictly between 0 and 1")
        }
        let split = Int(trainFraction * Double(tokens.count))
        try self.init(train: Array(tokens[..<split]), validation: Array(tokens[split...]), context: context, source: source)
    }

    /// Windows over `train` and `validation`, split beforehand (say, text split before it was
    /// tokenized); each must hold at least one window of `context + 1` tokens. `source` names the
    /// tokens in errors.
    public init(train: [Int], validation: [Int], context: Int, source: String) throws(DataError) {
        guard context > 0 else { throw DataError(path: source, reason: "context \(context) must be at least 1 token") }
        let window = context + 1
        guard train.count >= window && validation.count >= window else {
            throw DataError(path: source, reason: "\(train.count + validation.count) tokens split \(train.count) / \(validation.count) "
                            + "leave a part shorter than one window of context + 1 = \(window) tokens")
        }
        self.context = context
        self.train = train
        self.validation = validation
    }

    /// `size` training windows starting at offsets drawn from `generator` (`Tensor.randint`, one
    /// draw per window, in order).
    public func trainingBatch(size: Int, generator: RandomGenerator) -> Batch {
        precondition(size > 0, "NextTokenWindows.trainingBatch: batch size must be positive, got \(size)")
        let starts = Tensor.randint([size], high: train.count - context, generator: generator).integers
        return batch(of: train, starts: starts)
    }

    /// The number of validation windows: `(validation.count − 1) / context`.
    public var validationWindowCount: Int { (validation.count - 1) / context }

    /// Validation windows `windows` (a range within `0..<validationWindowCount`) as one batch.
    public func validationBatch(windows: Range<Int>) -> Batch {
        precondition(!windows.isEmpty && windows.lowerBound >= 0 && windows.upperBound <= validationWindowCount,
                     "NextTokenWindows.validationBatch: windows \(windows) are not a non-empty part of 0..<\(validationWindowCount)")
        return batch(of: validation, starts: windows.map { $0 * context })
    }

    /// Every validation window, in order, in batches of `size` (the last one smaller when `size`
    /// does not divide the window count).
    public func validationBatches(size: Int) -> [Batch] {
        precondition(size > 0, "NextTokenWindows.validationBatches: batch size must be positive, got \(size)")
        return stride(from: 0, to: validationWindowCount, by: size).map {
            validationBatch(windows: $0..<min($0 + size, validationWindowCount))
        }
    }

    /// Inputs `tokens[s ..< s + context]` and targets `tokens[s + 1 ... s + context]` for each start `s`.
    private func batch(of tokens: [Int], starts: [Int]) -> Batch {
        let shape = [starts.count, context]
        func rows(shiftedBy shift: Int) -> Tensor {
            Tensor(shape: shape, of: Int.self) { out in
                for (row, start) in starts.enumerated() {
                    for t in 0..<context { out[row * context + t] = tokens[start + shift + t] }
                }
            }
        }
        return Batch(inputs: rows(shiftedBy: 0), targets: rows(shiftedBy: 1))
    }
}
