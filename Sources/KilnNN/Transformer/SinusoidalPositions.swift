import Foundation
import Kiln

/// The fixed position encodings of Vaswani et al. ("Attention Is All You Need", 2017), `[T, dimension]`
/// for `positions`: `PE(p, 2i) = sin(p / 10000^(2i/d))`, `PE(p, 2i + 1) = cos(p / 10000^(2i/d))`.
///
/// Each pair of features turns by a fixed angle per position, so the encoding of `p + k` is a linear
/// function (a rotation) of the encoding of `p`. Angles are computed in double precision.
public func sinusoidalPositions(_ positions: Range<Int>, dimension: Int) -> Tensor {
    precondition(dimension > 0 && dimension % 2 == 0, "sinusoidalPositions: dimension \(dimension) must be positive and even")
    var values = [Float]()
    values.reserveCapacity(positions.count * dimension)
    for p in positions {
        for i in stride(from: 0, to: dimension, by: 2) {
            let angle = Double(p) / Foundation.pow(10_000, Double(i) / Double(dimension))
            values += [Float(Foundation.sin(angle)), Float(Foundation.cos(angle))]
        }
    }
    return Tensor(values, shape: [positions.count, dimension])
}
