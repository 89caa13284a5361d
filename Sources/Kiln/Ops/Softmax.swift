import CKilnKernels
import Foundation

/// How a softmax walks each row. The three give the same values to within rounding and differ in
/// memory traffic (Dukhan & Ablavatski, "The Two-Pass Softmax Algorithm", 2020).
public enum SoftmaxAlgorithm: String, CaseIterable, Sendable {
    /// The maximum; e^(x − max) stored while summing; the stored values scaled into the output.
    /// Rows a thread handles whole keep e^x in a scratch of two rows and write each row while
    /// computing the next; rows split across threads store it in the output and scale it in place.
    /// Computes e^x once.
    case threePassReload
    /// The maximum; the sum of e^(x − max); e^(x − max) recomputed and written scaled.
    /// Reads the input three times, writes the output once, computes e^x twice.
    case threePassRecompute
    /// No maximum: each e^x is a pair (m, n) with e^x = m·2ⁿ, summed as a pair rescaled to the larger
    /// exponent, then recomputed and scaled by the inverse sum. Reads the input twice, writes once.
    case twoPass

    /// The fastest of the three for `rows` rows of `length` elements on the running machine, by a rule
    /// from its cache sizes (`caches`, by default ``CacheSizes/running``), checked with
    /// `kiln bench softmax`. Reload computes e^x once and wins while each thread's scratch of two rows
    /// of exponentials stays in cache: a quarter of the last-level cache for all threads together,
    /// since other programs (and, on a virtual machine, other machines) share that cache. Beyond it
    /// two-pass wins, and it gains as the cache comes under pressure: it reads the input twice and
    /// writes once, where reload's scratch goes to memory and back. A row split across threads
    /// (fewer rows than threads) always takes two-pass.
    public static func fastest(rows: Int, length: Int, caches: CacheSizes = .running) -> SoftmaxAlgorithm {
        if SoftmaxRows.segments(rows: rows, length: length) > 1 { return .twoPass }
        let scratch = 8 * length * Swift.min(Threads.count, Swift.max(rows, 1))
        return 4 * scratch <= caches.shared ? .threePassReload : .twoPass
    }

    var kernel: kiln_softmax_algorithm {
        switch self {
        case .threePassReload: KILN_SOFTMAX_RELOAD
        case .threePassRecompute: KILN_SOFTMAX_RECOMPUTE
        case .twoPass: KILN_SOFTMAX_TWO_PASS
        }
    }
}

/// Softmax and log-softmax along an axis, with temperature, and their fused backward passes.
///
/// A row containing +inf, or only -inf, gives NaN, as in PyTorch.
extension Tensor {
    /// `e^(x/T) / Σ e^(x/T)` along `axis`, where `T` is `temperature`.
    ///
    /// Never overflows: logits of ±1e4 are fine. The gradient is `y·(dy − Σ dy·y) / T`, one fused pass.
    /// `algorithm` defaults to ``SoftmaxAlgorithm/fastest(rows:length:)`` for the input's shape.
    public func softmax(axis: Int = -1, temperature: Float = 1, algorithm: SoftmaxAlgorithm? = nil) -> Tensor {
        let rows = softmaxRows(axis: axis, temperature: temperature, op: "softmax")
        let algorithm = algorithm ?? .fastest(rows: rows.count, length: rows.length)
        let scale = 1 / temperature
        let y = Tensor(uninitializedShape: rows.data.shape)
        let px = UnsafePointer(rows.data.floatPointer), py = y.floatPointer
        let alg = algorithm.kernel, length = rows.length
        let stream: Int32 = y.count >= SoftmaxRows.streamingCount ? 1 : 0
        if rows.segments == 1 {
            parallelSharedChunks(rows.count, costPerItem: length * 4) { chunk in
                // Reload's scratch of two rows comes from the block cache: fresh memory of a long row
                // would cost a page fault every 4 KiB on every call.
                let scratch = algorithm == .threePassReload ? Tensor(uninitializedShape: [2 * length]) : nil
                let start = chunk.lowerBound * length
                kiln_softmax_rows_f32(alg, px + start, py + start, chunk.count, length, scale, scratch?.floatPointer, stream)
                withExtendedLifetime(scratch) {}
            }
        } else {
            rows.run({ r, range in
                kiln_softmax_stats_f32(alg, px + r * length + range.lowerBound, py + r * length + range.lowerBound,
                                       range.count, scale)
            }, merge: { kiln_softmax_merge(alg, $0.baseAddress, $0.count, scale) }, { r, range, part, total in
                let start = r * length + range.lowerBound
                kiln_softmax_normalize_f32(alg, px + start, py + start, range.count, scale, part, total, stream)
            })
        }
        withExtendedLifetime(rows.data) {}
        return Autograd.record(rows.restore(y), self) { g in
            let dy = rows.arrange(g)
            let dx = Tensor(uninitializedShape: y.shape)
            let py = UnsafePointer(y.floatPointer), pdy = UnsafePointer(dy.floatPointer), pdx = dx.floatPointer
            rows.run({ r, range in
                kiln_dot_f32(py + r * length + range.lowerBound, pdy + r * length + range.lowerBound, range.count)
            }, merge: { $0.reduce(0, +) }, { r, range, _, dot in
                let start = r * length + range.lowerBound
                kiln_softmax_backward_f32(py + start, pdy + start, pdx + start, range.count, dot, scale)
            })
            return withExtendedLifetime((y, dy)) { rows.restore(dx) }
        }
    }

    /// `x/T − log Σ e^(x/T)` along `axis`, fused: the maximum and Σ e^(x/T − max) (the row stays in
    /// cache between the two), then one pass writing `(x/T − max) − log Σ`, exact near the maximum even
    /// for logits of ±1e4. The gradient is `(dy − softmax·Σ dy) / T`, one fused pass.
    public func logSoftmax(axis: Int = -1, temperature: Float = 1) -> Tensor {
        let rows = softmaxRows(axis: axis, temperature: temperature, op: "logSoftmax")
        let scale = 1 / temperature
        let y = Tensor(uninitializedShape: rows.data.shape)
        let px = UnsafePointer(rows.data.floatPointer), py = y.floatPointer
        let alg = KILN_SOFTMAX_RECOMPUTE, length = rows.length
        rows.run({ r, range in
            kiln_log_sum_exp_stats_f32(px + r * length + range.lowerBound, range.count, scale)
        }, merge: { kiln_softmax_merge(alg, $0.baseAddress, $0.count, scale) }, { r, range, _, total in
            let start = r * length + range.lowerBound
            kiln_log_softmax_write_f32(px + start, py + start, range.count, scale, scale * total.offset,
                                       Foundation.log(total.sum))
        })
        withExtendedLifetime(rows.data) {}
        return Autograd.record(rows.restore(y), self) { g in
            let dy = rows.arrange(g)
            let dx = Tensor(uninitializedShape: y.shape)
            let py = UnsafePointer(y.floatPointer), pdy = UnsafePointer(dy.floatPointer), pdx = dx.floatPointer
            rows.run({ r, range in
                kiln_sum_f32(pdy + r * length + range.lowerBound, 1, range.count)
            }, merge: { $0.reduce(0, +) }, { r, range, _, total in
                let start = r * length + range.lowerBound
                kiln_log_softmax_backward_f32(py + start, pdy + start, pdx + start, range.count, total, scale)
            })
            return withExtendedLifetime((y, dy)) { rows.restore(dx) }
        }
    }

    private func softmaxRows(axis: Int, temperature: Float, op: String) -> SoftmaxRows {
        precondition(dtype == .float32, "\(op): expects a float tensor, got \(dtype)")
        precondition(temperature > 0 && temperature.isFinite, "\(op): temperature must be positive and finite, got \(temperature)")
        return SoftmaxRows(self, axis: rank == 0 ? 0 : self.axis(axis, op: op))
    }
}
