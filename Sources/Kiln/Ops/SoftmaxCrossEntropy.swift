import CKilnKernels
import Foundation

/// Cross-entropy of softmax rows against targets, fused with the softmax.
///
/// The forward pass finds each row's maximum and Σ e^(x − max) (the row stays in cache between the
/// two) and keeps only those two numbers, the row's log-sum-exp split so that `x − max` stays exact; the backward pass recomputes `softmax(x) − target` and writes the gradient in
/// one more pass. The losses' high-level forms (reductions, sample weights, shapes) live in KilnNN.
extension Tensor {
    /// The cross-entropy of each row of `[N, C]` logits, as an `[N]` tensor.
    ///
    /// With class-index `labels` (int64 `[N]`), row `i` scores
    /// `(1 − ε)·w[y]·(lse − x[y]) + (ε/C)·Σ_c w[c]·(lse − x[c])`, where `lse` is the row's log-sum-exp,
    /// `ε` is `labelSmoothing` and `w` the `classWeights` (1 when absent): PyTorch's `cross_entropy`
    /// with `reduction="none"`. Rows whose label is `ignoreIndex` score 0 and get no gradient.
    ///
    /// With probability `labels` (float `[N, C]`), row `i` scores `Σ_c w[c]·t[c]·(lse − x[c])`, where
    /// `t = (1 − ε)·labels + ε/C`. Gradients flow to the logits only, not to the targets.
    public func softmaxCrossEntropy(labels: Tensor, classWeights: Tensor? = nil, labelSmoothing: Float = 0,
                                    ignoreIndex: Int = -100) -> Tensor {
        precondition(dtype == .float32 && rank == 2,
                     "softmaxCrossEntropy: logits must be float [N, C], got \(dtype) \(shape)")
        let (n, c) = (shape[0], shape[1])
        precondition(c > 0, "softmaxCrossEntropy: logits \(shape) have no classes")
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1,
                     "softmaxCrossEntropy: label smoothing must lie in [0, 1], got \(labelSmoothing)")
        if let classWeights {
            precondition(classWeights.dtype == .float32 && classWeights.shape == [c],
                         "softmaxCrossEntropy: class weights must be float [\(c)], got \(classWeights.dtype) \(classWeights.shape)")
        }
        let x = contiguousData()
        let weights = classWeights?.contiguousData()
        // Each row's log-sum-exp as maximum + log Σ e^(x − maximum).
        let maxima = Tensor(uninitializedShape: [n]), logSums = Tensor(uninitializedShape: [n])
        let losses = Tensor(uninitializedShape: [n])
        let px = UnsafePointer(x.floatPointer), pmax = maxima.floatPointer, plog = logSums.floatPointer
        let ploss = losses.floatPointer
        let pw = weights.map { UnsafePointer($0.floatPointer) }
        let eps = labelSmoothing, smooth = labelSmoothing / Float(c)
        let totalWeight = weights.map { $0.sum().item } ?? Float(c)

        /// Stores row `i`'s maximum and log Σ e^(x − maximum); returns (log-sum-exp − x[j]) for any j.
        func logSumExp(_ i: Int) -> (Int) -> Float {
            let row = px + i * c
            let stats = kiln_log_sum_exp_stats_f32(row, c, 1)
            pmax[i] = stats.offset
            plog[i] = Foundation.log(stats.sum)
            return { j in (stats.offset - row[j]) + plog[i] }
        }

        let backward: (Tensor) -> Tensor
        if labels.dtype == .int64 {
            precondition(labels.shape == [n], "softmaxCrossEntropy: class labels must be int64 [\(n)] for logits \(shape), got \(labels.shape)")
            let y = labels.contiguousData()
            let py = UnsafePointer(y.storage.base.assumingMemoryBound(to: Int.self) + y.offset)
            parallelChunks(n, costPerItem: c * 2) { rows in
                for i in rows {
                    let row = px + i * c, label = py[i]
                    let gap = logSumExp(i)
                    if label == ignoreIndex { ploss[i] = 0; continue }
                    precondition(label >= 0 && label < c,
                                 "softmaxCrossEntropy: label \(label) out of range for \(c) classes (row \(i))")
                    let wy = pw?[label] ?? 1
                    var loss = (1 - eps) * wy * gap(label)
                    if eps > 0 {
                        let wx = pw.map { kiln_dot_f32($0, row, c) } ?? kiln_sum_f32(row, 1, c)
                        loss += smooth * (totalWeight * (pmax[i] + plog[i]) - wx)
                    }
                    ploss[i] = loss
                }
            }
            backward = { g in
                let g = g.contiguousData(), dx = Tensor(uninitializedShape: [n, c])
                let pg = UnsafePointer(g.floatPointer), pdx = dx.floatPointer
                let stream: Int32 = dx.count >= SoftmaxRows.streamingCount ? 1 : 0
                parallelChunks(n, costPerItem: c * 4) { rows in
                    for i in rows {
                        let label = py[i], out = pdx + i * c
                        if label == ignoreIndex { kiln_fill_f32(out, 0, c); continue }
                        let gi = pg[i], wy = pw?[label] ?? 1
                        kiln_cross_entropy_backward_f32(px + i * c, out, c, pmax[i], plog[i], gi * ((1 - eps) * wy + smooth * totalWeight),
                                                        pw, gi * smooth, nil, 0, stream)
                        out[label] -= gi * (1 - eps) * wy
                    }
                }
                return withExtendedLifetime((x, y, weights, maxima, logSums, g)) { dx }
            }
        } else {
            precondition(labels.dtype == .float32 && labels.shape == shape,
                         "softmaxCrossEntropy: probability targets must be float \(shape), got \(labels.dtype) \(labels.shape)")
            // Each row's effective target w·((1 − ε)·t + ε/C) and its sum, kept for the backward pass.
            let t = labels.contiguousData()
            let targets = Tensor(uninitializedShape: [n, c]), mass = Tensor(uninitializedShape: [n])
            let pt = UnsafePointer(t.floatPointer), pe = targets.floatPointer, pm = mass.floatPointer
            parallelChunks(n, costPerItem: c * 3) { rows in
                for i in rows {
                    let row = px + i * c, target = pe + i * c
                    for j in 0..<c { target[j] = (pw?[j] ?? 1) * ((1 - eps) * pt[i * c + j] + smooth) }
                    pm[i] = kiln_sum_f32(target, 1, c)
                    _ = logSumExp(i)
                    ploss[i] = pm[i] * (pmax[i] + plog[i]) - kiln_dot_f32(target, row, c)
                }
            }
            backward = { g in
                let g = g.contiguousData(), dx = Tensor(uninitializedShape: [n, c])
                let pg = UnsafePointer(g.floatPointer), pdx = dx.floatPointer
                parallelChunks(n, costPerItem: c * 4) { rows in
                    for i in rows {
                        kiln_cross_entropy_backward_f32(px + i * c, pdx + i * c, c, pmax[i], plog[i], pg[i] * pm[i],
                                                        nil, 0, pe + i * c, pg[i], 0)
                    }
                }
                return withExtendedLifetime((x, targets, mass, maxima, logSums, g)) { dx }
            }
        }
        return withExtendedLifetime((x, weights)) { Autograd.record(losses, self, backward: backward) }
    }
}
