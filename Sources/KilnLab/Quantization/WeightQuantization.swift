import Foundation
import Kiln

/// How weights are rounded to integers: bit width, one scale per tensor or per output channel, and
/// a grid symmetric about zero or spanning the values' own range.
public struct QuantizationScheme: Sendable, Equatable {
    /// The bits per code, 2 to 8.
    public var bits: Int
    /// One scale per output channel (row of a `[out, in]` weight) rather than one for the tensor.
    public var perChannel: Bool
    /// Codes in `±(2^(bits−1) − 1)` times the scale with zero exactly representable (symmetric), or
    /// `0…2^bits − 1` shifted by a zero point to span `[min, max]` (asymmetric).
    public var symmetric: Bool
    /// NUPES's power exponent `a`: values are mapped to `sign(w)|w|^a` before the uniform grid and back by
    /// the power `1/a` after it: for `a < 1` the grid is denser near zero, where bell-shaped weights crowd; nil is the plain grid.
    public var power: Float?

    /// A scheme of `bits` bits (2 to 8), per channel or per tensor, symmetric or asymmetric, on NUPES's
    /// power-transformed values when `power` is given.
    public init(bits: Int, perChannel: Bool = true, symmetric: Bool = true, power: Float? = nil) {
        precondition((2...8).contains(bits), "QuantizationScheme: bits \(bits) must be from 2 to 8")
        precondition(power.map { $0 > 0 } ?? true, "QuantizationScheme: power \(power!) must be positive")
        self.bits = bits
        self.perChannel = perChannel
        self.symmetric = symmetric
        self.power = power
    }

    /// The smallest and largest code.
    public var codeRange: ClosedRange<Int> {
        symmetric ? -((1 << (bits - 1)) - 1)...((1 << (bits - 1)) - 1) : 0...((1 << bits) - 1)
    }
}

/// A weight stored as integer codes with a scale and zero point per group (the whole tensor, or each
/// row): `w ≈ scale·(code − zeroPoint)`, round to nearest, so each value is within half a step
/// (`scale / 2`) of its reconstruction (in the power domain, under NUPES).
///
/// ```swift
/// let q = QuantizedWeight(layer.weight, scheme: QuantizationScheme(bits: 8))
/// layer.weight = q.dequantized()
/// ```
public struct QuantizedWeight: Sendable {
    /// The scheme the codes follow.
    public let scheme: QuantizationScheme
    /// The weight's shape.
    public let shape: [Int]
    /// The codes, row-major, each within ``QuantizationScheme/codeRange``.
    public let codes: [Int16]
    /// The step of each group (one, or one per row).
    public let scales: [Float]
    /// The code that stands for zero in each group (0 when symmetric).
    public let zeroPoints: [Int]

    /// `weight` (a float tensor with at least one axis, rows along the first) rounded by `scheme`.
    public init(_ weight: Tensor, scheme: QuantizationScheme) {
        precondition(weight.dtype == .float32 && weight.rank >= 1 && weight.count > 0,
                     "QuantizedWeight: needs a non-empty float tensor, got \(weight.dtype) \(weight.shape)")
        let values = weight.scalars.map { scheme.power.map(Self.signedPower($0)) ?? $0 }
        let groups = scheme.perChannel ? weight.shape[0] : 1
        let size = values.count / groups
        let range = scheme.codeRange
        var codes = [Int16](repeating: 0, count: values.count)
        var scales = [Float](), zeroPoints = [Int]()
        for g in 0..<groups {
            let part = values[(g * size)..<((g + 1) * size)]
            let (low, high) = (min(part.min()!, 0), max(part.max()!, 0))
            var scale: Float, zero: Int
            if scheme.symmetric {
                scale = max(-low, high) / Float(range.upperBound)
                zero = 0
            } else {
                scale = (high - low) / Float(range.upperBound)
                zero = scale > 0 ? Int((-low / scale).rounded()) : 0
            }
            if !(scale > 0) { scale = 1 }   // an all-zero group: every code is the zero point
            for i in part.indices {
                let code = Int((values[i] / scale).rounded()) + zero
                codes[i] = Int16(min(max(code, range.lowerBound), range.upperBound))
            }
            scales.append(scale)
            zeroPoints.append(zero)
        }
        self.scheme = scheme
        shape = weight.shape
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    /// Codes already made under `scheme` for a weight of `shape`, with their scales and zero points,
    /// as a quantized model file stores them.
    init(scheme: QuantizationScheme, shape: [Int], codes: [Int16], scales: [Float], zeroPoints: [Int]) {
        precondition(shape.reduce(1, *) == codes.count && scales.count == zeroPoints.count && codes.count % scales.count == 0,
                     "QuantizedWeight: \(codes.count) codes of shape \(shape) in \(scales.count) groups")
        self.scheme = scheme
        self.shape = shape
        self.codes = codes
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    /// The reconstruction `scale·(code − zeroPoint)` (raised to the power `1/a` under NUPES).
    public func dequantized() -> Tensor {
        let size = codes.count / scales.count
        let inverse = scheme.power.map { 1 / $0 }
        return Tensor(codes.indices.map { i in
            let g = i / size
            let value = scales[g] * Float(Int(codes[i]) - zeroPoints[g])
            return inverse.map(Self.signedPower(value)) ?? value
        }, shape: shape)
    }

    /// `sign(x)·|x|^a`, curried on `x`.
    static func signedPower(_ x: Float) -> (Float) -> Float {
        { a in x < 0 ? -Foundation.pow(-x, a) : Foundation.pow(x, a) }
    }

    /// The storage the codes need at ``QuantizationScheme/bits`` per value plus a float scale and
    /// zero point per group, in bytes.
    public var byteCount: Int { (codes.count * scheme.bits + 7) / 8 + 8 * scales.count }
}
