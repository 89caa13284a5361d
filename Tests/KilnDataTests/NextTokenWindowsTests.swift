import KilnData
import Testing

@Suite struct NextTokenWindowsTests {
    /// Tokens 100, 101, …: a window's values give away where it starts.
    let tokens = Array(100..<180)

    @Test func splitsAtTheTruncatedNinetyPercent() throws {
        let data = try NextTokenWindows(tokens: tokens, context: 3, source: "t")
        #expect(data.train == Array(100..<172) && data.validation == Array(172..<180))
        // Python: int(0.9 * 2_576_627) = 2_318_964.
        let fortunesSized = try NextTokenWindows(tokens: [Int](repeating: 0, count: 2_576_627), context: 128, source: "t")
        #expect(fortunesSized.train.count == 2_318_964)
    }

    @Test func validationWindowsDoNotOverlapAndDropTheTail() throws {
        // 8 validation tokens 172…179, context 3: (8 − 1) / 3 = 2 windows; 179 is only a target
        // of nothing and is dropped with the tail.
        let data = try NextTokenWindows(tokens: tokens, context: 3, source: "t")
        #expect(data.validationWindowCount == 2)
        let batches = data.validationBatches(size: 64)
        #expect(batches.count == 1 && batches[0].inputs.shape == [2, 3] && batches[0].inputs.dtype == .int64)
        #expect(batches[0].inputs.integers == [172, 173, 174, 175, 176, 177])
        #expect(batches[0].targets.integers == [173, 174, 175, 176, 177, 178])
        // Batches of one window each: the same windows, in order.
        #expect(data.validationBatches(size: 1).map(\.targets.integers) == [[173, 174, 175], [176, 177, 178]])
        // With 7 validation tokens the last target is the last token: still 2 windows.
        let seven = try NextTokenWindows(tokens: Array(0..<70), context: 3, source: "t")
        #expect(seven.validation.count == 7 && seven.validationBatches(size: 2)[0].targets.integers == [64, 65, 66, 67, 68, 69])
    }

    @Test func trainingWindowsStartAtTheGeneratorsOffsets() throws {
        let data = try NextTokenWindows(tokens: tokens, context: 3, source: "t")
        // 72 training tokens: starts uniform in 0...72 − 4 = 0...68, one randint draw per window.
        let starts = Tensor.randint([4], high: 69, generator: RandomGenerator(seed: 5)).integers
        let batch = data.trainingBatch(size: 4, generator: RandomGenerator(seed: 5))
        #expect(batch.inputs.shape == [4, 3] && batch.targets.shape == [4, 3] && batch.inputs.dtype == .int64)
        #expect(batch.inputs.integers == starts.flatMap { s in (0..<3).map { 100 + s + $0 } })
        #expect(batch.targets.integers == starts.flatMap { s in (1...3).map { 100 + s + $0 } })
    }

    @Test func trainingStartsCoverBothEndsOfTheRange() throws {
        // 10 tokens split 9 / 1 would leave no validation window; 20 split 18 / 2 with context 1:
        // starts uniform in 0...16, so 2,000 draws reach both 0 and 16 and nothing beyond.
        let data = try NextTokenWindows(tokens: Array(0..<20), context: 1, source: "t")
        let starts = data.trainingBatch(size: 2_000, generator: RandomGenerator(seed: 9)).inputs.integers
        #expect(starts.min() == 0 && starts.max() == 16 && Set(starts).count == 17)
    }

    @Test func tooFewTokensAreAnError() {
        let error = #expect(throws: DataError.self) { try NextTokenWindows(tokens: Array(0..<40), context: 4, source: "text.txt") }
        #expect(error?.description == "text.txt: 40 tokens split 36 / 4 leave a part shorter than one window of context + 1 = 5 tokens")
        let fraction = #expect(throws: DataError.self) { try NextTokenWindows(tokens: tokens, context: 3, trainFraction: 1, source: "t") }
        #expect(fraction?.description == "t: train fraction 1.0 must lie strictly between 0 and 1")
    }
}
