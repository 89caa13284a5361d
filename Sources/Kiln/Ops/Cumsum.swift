/// Running sums along an axis.
extension Tensor {
    /// The running sum along `axis` (PyTorch's `torch.cumsum`): element `i` is the sum of elements `0...i`.
    ///
    /// With `reverse`, element `i` is the sum of elements `i..<n` instead (the gradient of the forward sum).
    /// Sums accumulate in double precision, as PyTorch does on the CPU.
    public func cumulativeSum(axis a: Int, reverse: Bool = false) -> Tensor {
        precondition(dtype == .float32, "cumulativeSum: expects a float tensor, got \(dtype)")
        if rank == 0 { return Autograd.record(self.detached(), self) { $0 } }
        let ax = axis(a, op: "cumulativeSum")
        let (outer, n, inner) = Tensor.aroundAxis(shape, ax)
        let src = contiguousData()
        let out = Tensor(uninitializedShape: shape)
        let px = src.floatPointer, po = out.floatPointer
        // Work items are (outer position, block of columns); each keeps one double accumulator per column.
        let blockWidth = 512
        let blocks = Swift.max(1, (inner + blockWidth - 1) / blockWidth)
        parallelChunks(outer * blocks, costPerItem: n * Swift.min(inner, blockWidth)) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: blockWidth) { buffer in
                let acc = buffer.baseAddress!
                for item in range {
                    let o = item / blocks, c0 = (item % blocks) * blockWidth
                    let width = Swift.min(blockWidth, inner - c0)
                    if width == 1 {
                        // One column: a plain running sum down the run.
                        let base = o * n * inner + c0
                        var total = 0.0
                        for step in 0..<n {
                            let at = base + (reverse ? n - 1 - step : step) * inner
                            total += Double(px[at])
                            po[at] = Float(total)
                        }
                        continue
                    }
                    for c in 0..<width { acc[c] = 0 }
                    for step in 0..<n {
                        let row = o * n * inner + (reverse ? n - 1 - step : step) * inner + c0
                        for c in 0..<width {
                            acc[c] += Double(px[row + c])
                            po[row + c] = Float(acc[c])
                        }
                    }
                }
            }
        }
        return Autograd.record(out, self) { g in g.cumulativeSum(axis: ax, reverse: !reverse) }
    }
}
