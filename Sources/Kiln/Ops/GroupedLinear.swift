/// Consecutive groups of rows, each through its own linear map: the expert products of a mixture of experts.
///
/// `x` is `[rows, in]` with its rows sorted by group: the first `groupSizes[0]` rows go through
/// `weights[0]` (`[out, in]`, PyTorch's linear layout) and `biases?[0]` (`[out]`), the next
/// `groupSizes[1]` through `weights[1]`, and so on. The result is `[rows, out]`, row for row
/// `linear(x[group g], weight: weights[g], bias: biases?[g])`, computed as one matrix product per
/// group (none for an empty group), written straight into the output.
///
/// The backward rule runs the same way: per group, `dx = g · W`, `dW = gᵀ · x` and `db = Σ g`;
/// a group without rows gets a zero weight gradient.
public func groupedLinear(_ x: Tensor, groupSizes: [Int], weights: [Tensor], biases: [Tensor]? = nil) -> Tensor {
    precondition(!weights.isEmpty && weights.count == groupSizes.count && (biases?.count ?? weights.count) == weights.count,
                 "groupedLinear: \(groupSizes.count) group sizes, \(weights.count) weights and \(biases?.count ?? 0) biases must match")
    let outFeatures = weights[0].shape.first ?? 0
    precondition(x.rank == 2 && x.dtype == .float32 && groupSizes.allSatisfy { $0 >= 0 } && groupSizes.reduce(0, +) == x.shape[0],
                 "groupedLinear: input \(x.dtype) \(x.shape) does not split into groups of \(groupSizes) rows")
    precondition(weights.allSatisfy { $0.shape == [outFeatures, x.shape[1]] } && (biases ?? []).allSatisfy { $0.shape == [outFeatures] },
                 "groupedLinear: every weight must be [\(outFeatures), \(x.shape[1])] and every bias [\(outFeatures)], got "
                 + "\(weights.map(\.shape)) and \(biases?.map(\.shape) ?? [])")
    let inFeatures = x.shape[1], rows = x.shape[0]
    let input = x.contiguousData().detached()
    let w = weights.map { $0.detached() }
    let starts = groupSizes.reduce(into: [0]) { $0.append($0.last! + $1) }
    let out = Tensor(uninitializedShape: [rows, outFeatures])
    for (g, size) in groupSizes.enumerated() where size > 0 {
        let c = out.floatPointer + starts[g] * outFeatures
        if let bias = biases?[g].contiguousData() {
            for r in 0..<size { (c + r * outFeatures).update(from: bias.floatPointer, count: outFeatures) }
        }
        Matmul.multiply(input.slice(axis: 0, starts[g]..<starts[g + 1]), w[g].transposed(), into: c, ldc: outFeatures,
                        beta: biases == nil ? 0 : 1)
    }
    return Autograd.record(out, [x] + weights + (biases ?? [])) { g in
        let g = g.contiguousData()
        let dx = x.requiresGradient ? Tensor(uninitializedShape: [rows, inFeatures]) : nil
        var dw: [Tensor?] = [], db: [Tensor?] = []
        for (k, size) in groupSizes.enumerated() {
            let rowsOfG = g.slice(axis: 0, starts[k]..<starts[k + 1])
            if let dx, size > 0 {
                Matmul.multiply(rowsOfG, w[k], into: dx.floatPointer + starts[k] * inFeatures, ldc: inFeatures, beta: 0)
            }
            if weights[k].requiresGradient {
                let gradient = Tensor(zeros: [outFeatures, inFeatures])
                if size > 0 {
                    Matmul.multiply(rowsOfG.transposed(), input.slice(axis: 0, starts[k]..<starts[k + 1]), into: gradient.floatPointer,
                                    ldc: inFeatures, beta: 0)
                }
                dw.append(gradient)
            } else {
                dw.append(nil)
            }
            if let biases { db.append(biases[k].requiresGradient ? rowsOfG.sum(axis: 0) : nil) }
        }
        return [dx] + dw + db
    }
}
