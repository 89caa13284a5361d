import Foundation
import Kiln
import KilnTestSupport
import Testing

/// Float64 softmax of one row, the reference for accuracy checks.
private func softmax64(_ row: ArraySlice<Float>) -> [Double] {
    let m = Double(row.max()!)
    let e = row.map { Foundation.exp(Double($0) - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

/// The largest relative difference between `actual` and a float64 reference.
private func worstRelativeError(_ actual: [Float], _ expected: [Double]) -> Double {
    zip(actual, expected).map { abs(Double($0) - $1) / $1 }.max() ?? 0
}

@Suite struct SoftmaxTests {
    /// Values and gradients (against a fixed cotangent) match PyTorch for every algorithm.
    @Test(arguments: ["last", "middle", "temperature", "large"])
    func matchesPyTorch(name: String) {
        let f = Fixtures.load("softmax")
        let x = f["\(name)_x"]!
        let axis = name == "middle" ? 1 : -1
        let temperature: Float = name == "temperature" ? 2.5 : 1
        var ops: [(String, (Tensor) -> Tensor)] = SoftmaxAlgorithm.allCases.map { algorithm in
            ("softmax", { $0.softmax(axis: axis, temperature: temperature, algorithm: algorithm) })
        }
        ops.append(("log_softmax", { $0.logSoftmax(axis: axis, temperature: temperature) }))
        // y·(g − Σ g·y) cancels: in case "last" float32 rounding reaches 1.3e-7 beyond 1e-5 relative.
        let absolute: Float = name == "last" ? 1.6e-7 : 1e-7
        for (op, fn) in ops {
            let leaf = x.requiringGradient()
            let y = fn(leaf)
            expectClose(y.scalars, f["\(name)_\(op)"]!.scalars, relative: 1e-5)
            y.backward(f["\(name)_\(op)_cot"]!)
            expectClose(leaf.grad!.scalars, f["\(name)_\(op)_grad"]!.scalars, relative: 1e-5, absolute: absolute)
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        let x = testTensor([3, 5], seed: 4, scale: 2)
        for algorithm in SoftmaxAlgorithm.allCases {
            checkGradients([x]) { $0[0].softmax(axis: 0, temperature: 0.7, algorithm: algorithm) }
        }
        checkGradients([x]) { $0[0].logSoftmax(temperature: 1.5) }
    }

    @Test func rowsSumToOneAndTemperatureSharpens() {
        let x = Tensor([1, 2, 3] as [Float], shape: [1, 3])
        for algorithm in SoftmaxAlgorithm.allCases {
            // softmax([1, 2, 3]) = e^k / (e + e² + e³).
            let z = Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)
            expectClose(x.softmax(algorithm: algorithm).scalars,
                        [1, 2, 3].map { Float(Foundation.exp(Double($0)) / z) }, relative: 1e-6)
            // Temperature 1/2 is softmax of 2x.
            expectClose(x.softmax(temperature: 0.5, algorithm: algorithm).scalars,
                        (x * 2).softmax(algorithm: .threePassRecompute).scalars, relative: 1e-6)
        }
        #expect(Tensor(3).softmax().item == 1)
    }

    @Test func hugeLogitsStayFinite() {
        let x = Tensor([1e4, -1e4, 1e4, 0, -1e4, 1e4, 1e4, -1e4, 1e4, 5] as [Float], shape: [1, 10])
        let expected: [Float] = [0.2, 0, 0.2, 0, 0, 0.2, 0.2, 0, 0.2, 0]
        for algorithm in SoftmaxAlgorithm.allCases {
            expectClose(x.softmax(algorithm: algorithm).scalars, expected, relative: 1e-6)
            expectClose((-x).softmax(algorithm: algorithm).scalars,
                        [0, 1.0 / 3, 0, 0, 1.0 / 3, 0, 0, 1.0 / 3, 0, 0], relative: 1e-6)
        }
        let logs = x.logSoftmax().scalars
        #expect(logs.allSatisfy { $0.isFinite })
        expectClose([logs[0], logs[1], logs[9]], [-Float(Foundation.log(5.0)), -2e4 - Float(Foundation.log(5.0)), 5 - 1e4 - Float(Foundation.log(5.0))],
                    relative: 1e-5)
    }

    /// A row of 2^20 equal values: each probability is exactly representable 2^-20, with or without
    /// splitting the row across threads.
    @Test func millionEqualValues() {
        let n = 1 << 20
        let x = Tensor(repeating: 3.5, shape: [1, n])
        for algorithm in SoftmaxAlgorithm.allCases {
            let y = x.softmax(algorithm: algorithm).scalars
            #expect(y.allSatisfy { abs($0 - 0x1p-20) <= 0x1p-20 * 1e-5 }, "\(algorithm)")
        }
        let logs = x.logSoftmax().scalars
        #expect(logs.allSatisfy { abs($0 + 20 * Float(M_LN2)) <= 1e-5 })
    }

    @Test(arguments: [1, 7, 8, 33, 1000, 5003, (1 << 18) + 5])
    func twoPassWithinOneMillionthOfFloat64(length: Int) {
        let x = testTensor([2, length], seed: UInt64(length), scale: 6)
        let y = x.softmax(algorithm: .twoPass).scalars
        let values = x.scalars
        for r in 0..<2 {
            let reference = softmax64(values[(r * length)..<((r + 1) * length)])
            let error = worstRelativeError(Array(y[(r * length)..<((r + 1) * length)]), reference)
            #expect(error <= 1e-6, "row \(r) of length \(length): relative error \(error)")
        }
    }

    /// Many whole rows per thread (each row's output is written while the next is computed), with
    /// lengths that leave masked tails, an output large enough to bypass the cache, and rows of
    /// only -inf (NaN, as in PyTorch) or with +inf between ordinary ones.
    @Test(arguments: [[300, 37], [64, 4096], [2049, 4096], [1040, 8071]])
    func wholeRowsMatchFloat64(shape: [Int]) {
        let (rows, length) = (shape[0], shape[1])
        var values = testTensor(shape, seed: UInt64(length), scale: 5).scalars
        for j in 0..<length { values[5 * length + j] = -.infinity }
        values[9 * length + length / 2] = .infinity
        let masked = Array(stride(from: 7 * length, to: 8 * length, by: 3))
        for i in masked { values[i] = -.infinity }
        let x = Tensor(values, shape: shape)
        for algorithm in SoftmaxAlgorithm.allCases {
            let y = x.softmax(algorithm: algorithm).scalars
            for r in [0, 4, 6, 8, 10, rows / 2, rows - 1] {
                let row = Array(y[(r * length)..<((r + 1) * length)])
                let reference = softmax64(values[(r * length)..<((r + 1) * length)])
                #expect(worstRelativeError(row, reference) <= 2e-6, "\(algorithm), row \(r) of \(shape)")
            }
            let unmasked = (7 * length..<8 * length).filter { ($0 - 7 * length) % 3 != 0 }
            let maskedReference = softmax64(values[(7 * length)..<(8 * length)])
            #expect(masked.allSatisfy { y[$0] == 0 }, "\(algorithm): -inf gives 0")
            #expect(worstRelativeError(unmasked.map { y[$0] }, unmasked.map { maskedReference[$0 - 7 * length] }) <= 2e-6)
            #expect(y[(5 * length)..<(6 * length)].allSatisfy { $0.isNaN }, "\(algorithm): a row of -inf")
            #expect(y[(9 * length)..<(10 * length)].allSatisfy { $0.isNaN }, "\(algorithm): a row with +inf")
        }
        let byDefault = x.softmax().scalars, reload = x.softmax(algorithm: .threePassReload).scalars
        #expect(zip(byDefault, reload).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }

    @Test func longRowsSplitAcrossThreadsMatchFloat64() {
        let length = (1 << 18) + 3
        let x = testTensor([1, length], seed: 11, scale: 8)
        let reference = softmax64(x.scalars[...])
        for algorithm in SoftmaxAlgorithm.allCases {
            #expect(worstRelativeError(x.softmax(algorithm: algorithm).scalars, reference) <= 2e-6, "\(algorithm)")
        }
        // Backward on the long row: dx = y·(dy − Σ dy·y), with dy = 1 on the first element.
        var seed = [Float](repeating: 0, count: length)
        seed[0] = 1
        let leaf = x.requiringGradient()
        leaf.softmax().backward(Tensor(seed, shape: [1, length]))
        let dx = leaf.grad!.scalars
        let expected = reference.enumerated().map { j, y in y * ((j == 0 ? 1 : 0) - reference[0]) }
        #expect(zip(dx, expected).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(abs($1), 1e-9) + 1e-12 })
    }

    @Test func onlineStatesMergeToTheLogSumExp() {
        let x = testTensor([1000], seed: 5, scale: 30).scalars
        let exact = Foundation.log(x.map { Foundation.exp(Double($0) - 30) }.reduce(0, +)) + 30
        // Folded block by block, with the rescale factor applied to a running Σ e^(x − max)·x.
        var state = OnlineSoftmax()
        var weighted: Double = 0
        for start in stride(from: 0, to: x.count, by: 64) {
            let block = Array(x[start..<min(start + 64, x.count)])
            let factor = block.withUnsafeBufferPointer { state.update($0) }
            weighted = weighted * Double(factor) + block.map { Foundation.exp(Double($0 - state.maximum)) * Double($0) }.reduce(0, +)
        }
        #expect(abs(Double(state.logSumExp) - exact) <= 1e-5 * abs(exact))
        let softmax = softmax64(x[...])
        let expectedMean = zip(softmax, x).map { $0 * Double($1) }.reduce(0, +)
        #expect(abs(weighted / Double(state.sum) - expectedMean) <= 1e-4 * max(1, abs(expectedMean)))
        // Halves folded separately and merged in either order give the same state.
        let a = x[..<500].withUnsafeBufferPointer { OnlineSoftmax($0) }, b = x[500...].withUnsafeBufferPointer { OnlineSoftmax($0) }
        #expect(abs(a.merged(with: b).logSumExp - state.logSumExp) <= 1e-5 * abs(state.logSumExp))
        #expect(abs(b.merged(with: a).sum - a.merged(with: b).sum) <= 1e-6 * a.merged(with: b).sum)
        #expect(OnlineSoftmax().merged(with: a) == a)
        #expect(abs(state.probability(x[0]) - Float(softmax[0])) <= 1e-5 * Float(softmax[0]))
        // Row-wise: two rows, two blocks each.
        let scores = Tensor(x[0..<200].map { $0 }, shape: [2, 100])
        var states = [OnlineSoftmax](repeating: OnlineSoftmax(), count: 2)
        _ = OnlineSoftmax.update(&states, with: scores.slice(axis: 1, 0..<50))
        let factors = OnlineSoftmax.update(&states, with: scores.slice(axis: 1, 50..<100)).scalars
        let lse = scores.logSumExp(axis: 1).scalars
        #expect(factors.allSatisfy { $0 > 0 && $0 <= 1 })
        expectClose(states.map(\.logSumExp), lse, relative: 1e-6)
    }

    @Test func onlineSoftmaxMatchesSoftmaxInValueAndGradient() {
        // 70 columns in blocks of 16 (the last block short), rows of a [3, 2, 70] input.
        let x = testTensor([3, 2, 70], seed: 6, scale: 20)
        let cotangent = testTensor([3, 2, 70], seed: 7)
        for blockSize in [1, 16, 70, 128] {
            expectClose(x.onlineSoftmax(blockSize: blockSize).scalars, x.softmax().scalars, relative: 1e-5)
            let online = gradient(at: x) { ($0.onlineSoftmax(blockSize: blockSize) * cotangent).sum() }
            let plain = gradient(at: x) { ($0.softmax() * cotangent).sum() }
            expectClose(online.scalars, plain.scalars, relative: 1e-5)
        }
        // Logits of ±1e4 in different blocks.
        let large = Tensor([1e4, -1e4, 0, 1e4 - 1, 5, -3] as [Float], shape: [1, 6])
        expectClose(large.onlineSoftmax(blockSize: 2).scalars, large.softmax().scalars, relative: 1e-5)
    }

    @Test func onlineSoftmaxGradientChecks() {
        checkGradients([testTensor([3, 11], seed: 8, scale: 2)]) { $0[0].onlineSoftmax(blockSize: 4) }
    }

    @Test func blockedBackwardFromStatesAlone() {
        // Attention's backward: the scores of each block and the final states give the softmax
        // gradient y·(dy − Σ dy·y) block by block, with δ = Σ dy·y taken from the output (rowsum dO ⊙ O).
        let scores = testTensor([4, 24], seed: 9, scale: 5), dy = testTensor([4, 24], seed: 10)
        var states = [OnlineSoftmax](repeating: OnlineSoftmax(), count: 4)
        let ranges = [0..<10, 10..<20, 20..<24]
        for r in ranges { _ = OnlineSoftmax.update(&states, with: scores.slice(axis: 1, r)) }
        let y = scores.softmax()
        let delta = (y * dy).sum(axis: 1, keepingDims: true)
        let blocks = ranges.map {
            OnlineSoftmax.scoreGradient(of: scores.slice(axis: 1, $0), states: states, upstream: dy.slice(axis: 1, $0), delta: delta)
        }
        let expected = gradient(at: scores) { ($0.softmax() * dy).sum() }
        expectClose(Tensor.concatenate(blocks, axis: 1).scalars, expected.scalars, relative: 1e-5)
        let probabilities = ranges.map { OnlineSoftmax.probabilities(of: scores.slice(axis: 1, $0), states: states) }
        expectClose(Tensor.concatenate(probabilities, axis: 1).scalars, y.scalars, relative: 1e-5)
    }
}
