import Foundation
import Kiln

/// Rotary position embedding (Su et al., "RoFormer", 2021) in the rotate-half convention of GPT-NeoX
/// and LLaMA: feature `i` of the first half of a head is paired with feature `i + D/2`, and at position
/// `m` each pair turns by the angle `m·θᵢ`, `θᵢ = base^(−2i/D)`.
///
/// Applied to queries and keys, it makes their dot product depend on positions only through their
/// difference: `⟨R(m)q, R(n)k⟩ = ⟨R(m − n)q, k⟩`. (The original paper pairs neighbouring features
/// `2i, 2i + 1`; the two conventions differ by a fixed permutation of the features.)
public struct RotaryEmbedding: Sendable, Equatable {
    /// The head dimension `D` rotated, even.
    public let dimension: Int
    /// The base of the angle frequencies.
    public let base: Double

    /// Rotations of `dimension`-sized heads (even) with frequencies `base^(−2i/dimension)`.
    public init(dimension: Int, base: Double = 10_000) {
        precondition(dimension > 0 && dimension % 2 == 0, "RotaryEmbedding: dimension \(dimension) must be positive and even")
        precondition(base > 0, "RotaryEmbedding: base \(base) must be positive")
        self.dimension = dimension
        self.base = base
    }

    /// The cosines and sines `[T, D]` of the angles at `positions`, each half holding the `D/2` frequencies.
    public func angles(positions: Range<Int>) -> (cos: Tensor, sin: Tensor) {
        // Angles in double so that long positions keep their precision.
        let frequencies = (0..<(dimension / 2)).map { Foundation.pow(base, -2 * Double($0) / Double(dimension)) }
        var cosines = [Float](), sines = [Float]()
        cosines.reserveCapacity(positions.count * dimension)
        sines.reserveCapacity(positions.count * dimension)
        for m in positions {
            let row = frequencies.map { Double(m) * $0 }
            for _ in 0..<2 {
                cosines += row.map { Float(Foundation.cos($0)) }
                sines += row.map { Float(Foundation.sin($0)) }
            }
        }
        let shape = [positions.count, dimension]
        return (Tensor(cosines, shape: shape), Tensor(sines, shape: shape))
    }

    /// `x` `[..., T, D]` with its `T` rows at positions `offset`, `offset + 1`, … rotated.
    public func callAsFunction(_ x: Tensor, offset: Int = 0) -> Tensor {
        precondition(x.rank >= 2, "RotaryEmbedding: input \(x.shape) must be [..., T, \(dimension)]")
        precondition(offset >= 0, "RotaryEmbedding: negative position offset \(offset)")
        return rotate(x, by: angles(positions: offset..<(offset + x.shape[x.rank - 2])))
    }

    /// `x` `[..., T, D]` rotated by the ``angles(positions:)`` of its rows: `x·cos + rotateHalf(x)·sin`,
    /// where `rotateHalf` maps halves `(a, b)` to `(−b, a)`.
    public func rotate(_ x: Tensor, by angles: (cos: Tensor, sin: Tensor)) -> Tensor {
        precondition(x.rank >= 2 && Array(x.shape.suffix(2)) == angles.cos.shape && x.shape[x.rank - 1] == dimension,
                     "RotaryEmbedding: input \(x.shape) must end in the angles' [T, D] \(angles.cos.shape), D = \(dimension)")
        let halves = x.chunked(2, axis: -1)
        return x * angles.cos + Tensor.concatenate([-halves[1], halves[0]], axis: -1) * angles.sin
    }
}
