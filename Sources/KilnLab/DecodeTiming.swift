import Foundation
import Kiln
import KilnNN

/// Seconds per token of a linear layer at batch size 1, dense against a faster form of it (sparse or int8).
public struct DecodeTiming: Sendable, Equatable {
    /// The dense layer's median time per token.
    public let dense: Double
    /// The faster form's median time per token (for a sparse layer, mask choice included).
    public let candidate: Double
    /// How many times faster the candidate is.
    public var speedup: Double { dense / candidate }

    /// The median over `rounds` rounds of each layer's mean time over `tokens` (rows of `[N, in]`),
    /// one token per call, the dense `layer` and the `candidate` alternating round by round.
    /// - Precondition: `tokens` is `[N, in]` with `N ≥ 1`, `rounds ≥ 1`.
    public init(layer: Linear, candidate: (Tensor) -> Tensor, tokens: Tensor, rounds: Int = 9) {
        precondition(tokens.rank == 2 && tokens.shape[0] >= 1 && rounds >= 1,
                     "DecodeTiming: tokens must be [N ≥ 1, in] and rounds ≥ 1, got \(tokens.shape), \(rounds)")
        let rows = (0..<tokens.shape[0]).map { tokens[$0..<($0 + 1)].contiguous() }
        func seconds(_ body: (Tensor) -> Tensor) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            for row in rows { _ = body(row) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(rows.count)
        }
        var dense: [Double] = [], candidateTimes: [Double] = []
        withoutGradient {
            for _ in 0..<rounds {
                dense.append(seconds { layer($0) })
                candidateTimes.append(seconds(candidate))
            }
        }
        self.dense = dense.sorted()[rounds / 2]
        self.candidate = candidateTimes.sorted()[rounds / 2]
    }
}
