@testable import KilnNN
import KilnTestSupport
import Testing

/// Loads the PyTorch parameters stored under `prefix.param.` into `model` by name, runs `body` on the
/// fixture inputs, and compares the outputs, the input gradients and the parameter gradients (under
/// the fixture's cotangents) with PyTorch's, to 1e-5 relative above `absolute`.
private func expectMatchesPyTorch(_ model: Module, _ prefix: String, inputs: [String], outputs: [(String, String)],
                                  absolute: Float = 1e-7, sourceLocation: SourceLocation = #_sourceLocation,
                                  _ body: ([Tensor]) -> [Tensor]) throws {
    let fixture = Fixtures.load("recurrent")
    let paramPrefix = "\(prefix).param."
    let state = Dictionary(uniqueKeysWithValues: fixture.filter { $0.key.hasPrefix(paramPrefix) }
        .map { (String($0.key.dropFirst(paramPrefix.count)), $0.value) })
    try model.load(stateDict: state)
    model.zeroGradients()
    var results: [Tensor] = []
    let (_, inputGrads) = valueAndGradient(at: inputs.map { fixture["\(prefix).\($0)"]! }) { xs in
        results = body(xs)
        return zip(results, outputs).map { y, names in (y * fixture["\(prefix).\(names.1)"]!).sum() }.reduce(Tensor(0), +)
    }
    for (y, names) in zip(results, outputs) {
        #expect(y.shape == fixture["\(prefix).\(names.0)"]!.shape, "\(prefix) \(names.0) shape", sourceLocation: sourceLocation)
        expectClose(y.scalars, fixture["\(prefix).\(names.0)"]!.scalars, absolute: absolute, sourceLocation: sourceLocation)
    }
    for (name, g) in zip(inputs, inputGrads) {
        expectClose(g.scalars, fixture["\(prefix).d\(name)"]!.scalars, absolute: absolute, sourceLocation: sourceLocation)
    }
    for (name, p) in model.namedParameters() {
        expectClose(p.gradient!.scalars, fixture["\(prefix).grad.\(name)"]!.scalars, absolute: absolute,
                    sourceLocation: sourceLocation)
    }
}

@Suite struct RecurrentTests {
    @Test func cellsMatchPyTorch() throws {
        let tanhCell = RNNCell(inputSize: 3, hiddenSize: 4)
        try expectMatchesPyTorch(tanhCell, "rnn_tanh_cell", inputs: ["x", "h0"], outputs: [("h", "cot_h")]) { xs in
            [tanhCell(xs[0], state: xs[1])]
        }
        let reluCell = RNNCell(inputSize: 3, hiddenSize: 4, nonlinearity: .relu)
        try expectMatchesPyTorch(reluCell, "rnn_relu_cell", inputs: ["x", "h0"], outputs: [("h", "cot_h")]) { xs in
            [reluCell(xs[0], state: xs[1])]
        }
        let gruCell = GRUCell(inputSize: 3, hiddenSize: 4)
        try expectMatchesPyTorch(gruCell, "gru_cell", inputs: ["x", "h0"], outputs: [("h", "cot_h")]) { xs in
            [gruCell(xs[0], state: xs[1])]
        }
        let lstmCell = LSTMCell(inputSize: 3, hiddenSize: 4)
        try expectMatchesPyTorch(lstmCell, "lstm_cell", inputs: ["x", "h0", "c0"],
                                 outputs: [("h", "cot_h"), ("c", "cot_c")]) { xs in
            let (h, c) = lstmCell(xs[0], state: (xs[1], xs[2]))
            return [h, c]
        }
    }

    @Test func twoLayerBatchFirstLayersMatchPyTorch() throws {
        let rnn = RNN(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true)
        // Float32 rounding through two layers and several steps: up to 2.5e-7 beyond 1e-5 relative.
        try expectMatchesPyTorch(rnn, "rnn", inputs: ["x", "h0"], outputs: [("out", "cot_out"), ("hn", "cot_h")],
                                 absolute: 3.5e-7) { xs in
            let (y, h) = rnn(xs[0], state: xs[1])
            return [y, h]
        }
        let gru = GRU(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true)
        try expectMatchesPyTorch(gru, "gru", inputs: ["x", "h0"], outputs: [("out", "cot_out"), ("hn", "cot_h")]) { xs in
            let (y, h) = gru(xs[0], state: xs[1])
            return [y, h]
        }
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true)
        try expectMatchesPyTorch(lstm, "lstm", inputs: ["x", "h0", "c0"],
                                 outputs: [("out", "cot_out"), ("hn", "cot_h"), ("cn", "cot_c")]) { xs in
            let (y, state) = lstm(xs[0], state: (xs[1], xs[2]))
            return [y, state.h, state.c]
        }
    }

    @Test func bidirectionalAndTimeFirstLayersMatchPyTorch() throws {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true, bidirectional: true)
        #expect(lstm.namedParameters().map(\.name).prefix(5) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                                                 "weight_ih_l0_reverse"])
        try expectMatchesPyTorch(lstm, "lstm_bidirectional", inputs: ["x", "h0", "c0"],
                                 outputs: [("out", "cot_out"), ("hn", "cot_h"), ("cn", "cot_c")]) { xs in
            let (y, state) = lstm(xs[0], state: (xs[1], xs[2]))
            return [y, state.h, state.c]
        }
        // The default layout is PyTorch's: time-first.
        let gru = GRU(inputSize: 3, hiddenSize: 4, layers: 2, bidirectional: true)
        // Float32 rounding through two bidirectional layers: up to 3.4e-7 beyond 1e-5 relative.
        try expectMatchesPyTorch(gru, "gru_time_first", inputs: ["x", "h0"], outputs: [("out", "cot_out"), ("hn", "cot_h")],
                                 absolute: 4.5e-7) { xs in
            let (y, h) = gru(xs[0], state: xs[1])
            return [y, h]
        }
    }

    @Test func defaultTimeFirstLayersMatchPyTorchDefaults() throws {
        let rnn = RNN(inputSize: 3, hiddenSize: 4, layers: 2)
        try expectMatchesPyTorch(rnn, "rnn_default_layout", inputs: ["x", "h0"],
                                 outputs: [("out", "cot_out"), ("hn", "cot_h")]) { xs in
            let (y, h) = rnn(xs[0], state: xs[1])
            return [y, h]
        }
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layers: 2)
        try expectMatchesPyTorch(lstm, "lstm_default_layout", inputs: ["x", "h0", "c0"],
                                 outputs: [("out", "cot_out"), ("hn", "cot_h"), ("cn", "cot_c")]) { xs in
            let (y, state) = lstm(xs[0], state: (xs[1], xs[2]))
            return [y, state.h, state.c]
        }
        let gru = GRU(inputSize: 3, hiddenSize: 4, layers: 2)
        try expectMatchesPyTorch(gru, "gru_default_layout", inputs: ["x", "h0"],
                                 outputs: [("out", "cot_out"), ("hn", "cot_h")]) { xs in
            let (y, h) = gru(xs[0], state: xs[1])
            return [y, h]
        }
    }

    @Test func batchFirstReadsTheTransposeOfTheDefaultTimeFirstLayout() {
        let timeFirst = LSTM(inputSize: 3, hiddenSize: 4, layers: 2, generator: RandomGenerator(seed: 14))
        let batchFirst = LSTM(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true, generator: RandomGenerator(seed: 14))
        let x = testTensor([5, 2, 3], seed: 15)   // [time, batch, features]
        let (y, state) = timeFirst(x, state: nil)
        let (yb, stateB) = batchFirst(x.transposed(0, 1), state: nil)
        #expect(y.shape == [5, 2, 4] && yb.shape == [2, 5, 4])
        #expect(state.h.shape == [2, 2, 4] && stateB.h.shape == [2, 2, 4])
        expectClose(yb.transposed(0, 1).contiguous().scalars, y.scalars)
        expectClose(stateB.c.scalars, state.c.scalars)
    }

    @Test func unbatchedInputAndZeroStatesAgreeWithBatchedOnes() {
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layers: 2, generator: RandomGenerator(seed: 1))
        let x = testTensor([5, 1, 3], seed: 2)
        let (batched, state) = lstm(x, state: (Tensor(zeros: [2, 1, 4]), Tensor(zeros: [2, 1, 4])))
        let (unbatched, unbatchedState) = lstm(x.squeezed(1), state: nil)
        #expect(unbatched.shape == [5, 4] && unbatchedState.h.shape == [2, 4])
        expectClose(unbatched.scalars, batched.scalars)
        expectClose(unbatchedState.c.scalars, state.c.scalars)
        expectClose(lstm(x).scalars, batched.scalars)
        // The last output step of the top layer is its final hidden state.
        expectClose(batched.select(axis: 0, 4).scalars, state.h[1].scalars)
    }

    @Test func initializationIsUniformWithinOneOverRootHidden() {
        let gru = GRU(inputSize: 6, hiddenSize: 16, layers: 2, generator: RandomGenerator(seed: 3))
        let values = gru.parameters().flatMap(\.value.scalars)
        #expect(values.allSatisfy { abs($0) <= 0.25 } && values.contains { abs($0) > 0.2 })
        #expect(gru.parameterCount == 2 * (3 * 16 * (16 + 2)) + 3 * 16 * 6 + 3 * 16 * 16)
        #expect(RNNCell(inputSize: 2, hiddenSize: 3, bias: false).namedParameters().map(\.name) == ["weight_ih", "weight_hh"])
    }

    @Test func dropoutActsBetweenLayersOnlyWhileTraining() {
        let rnn = RNN(inputSize: 3, hiddenSize: 4, layers: 2, dropout: 0.5, generator: RandomGenerator(seed: 4))
        let plain = RNN(inputSize: 3, hiddenSize: 4, layers: 2, generator: RandomGenerator(seed: 4))
        let x = testTensor([2, 5, 3], seed: 5)
        #expect(rnn(x).scalars != plain(x).scalars)
        rnn.eval()
        expectClose(rnn(x).scalars, plain(x).scalars)
    }

    @Test func lstmCellGradientsCheckNumerically() {
        let cell = LSTMCell(inputSize: 2, hiddenSize: 3, generator: RandomGenerator(seed: 6))
        let inputs = [testTensor([2, 2], seed: 7), testTensor([2, 3], seed: 8), testTensor([2, 3], seed: 9),
                      cell.weightIH.value, cell.weightHH.value, cell.biasHH!.value]
        checkGradients(inputs) { xs in
            cell.weightIH.substitute = xs[3]
            cell.weightHH.substitute = xs[4]
            cell.biasHH!.substitute = xs[5]
            defer { [cell.weightIH, cell.weightHH, cell.biasHH!].forEach { $0.substitute = nil } }
            let (h, c) = cell(xs[0], state: (xs[1], xs[2]))
            return Tensor.concatenate([h, c], axis: 1)
        }
    }

    @Test func gruCellGradientsCheckNumerically() {
        let cell = GRUCell(inputSize: 2, hiddenSize: 3, generator: RandomGenerator(seed: 10))
        let inputs = [testTensor([2, 2], seed: 11), testTensor([2, 3], seed: 12),
                      cell.weightIH.value, cell.weightHH.value, cell.biasHH!.value]
        checkGradients(inputs) { xs in
            cell.weightIH.substitute = xs[2]
            cell.weightHH.substitute = xs[3]
            cell.biasHH!.substitute = xs[4]
            defer { [cell.weightIH, cell.weightHH, cell.biasHH!].forEach { $0.substitute = nil } }
            return cell(xs[0], state: xs[1])
        }
    }

    @Test func unstackedSlicesShareOneGradient() {
        let x = testTensor([3, 4, 2], seed: 13)
        let pieces = x.unstacked(axis: 1)
        #expect(pieces.count == 4 && pieces[2].shape == [3, 2])
        expectClose(pieces[2].scalars, x.select(axis: 1, 2).scalars)
        checkGradients([x]) { xs in
            let p = xs[0].unstacked(axis: 1)
            return p[0] * p[3] + p[1].tanh() + p[0]   // a slice used twice, one (p[2]) unused
        }
    }
}
