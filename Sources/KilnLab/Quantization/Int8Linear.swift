import CKilnKernels
import Kiln

/// A linear layer for int8 decoding: symmetric per-channel 8-bit codes of the weight, stored
/// input-major, multiplied by one token at a time with ``kiln_int8_gemv_f32``, which reads one byte
/// per weight instead of four.
///
/// ```swift
/// let int8 = Int8Linear(layer)
/// let y = int8(x)   // x: [in] or [1, in]; equals x·Ŵᵀ + b with Ŵ the codes times their scales
/// ```
public final class Int8Linear {
    /// The quantized weight (symmetric, per output channel, 8 bits).
    public let quantized: QuantizedWeight
    private let codes: [Int8]
    private let bias: [Float]?
    private let inputs: Int, outputs: Int

    /// The int8 form of `layer`.
    public init(_ layer: Linear) {
        let q = QuantizedWeight(layer.weight, scheme: QuantizationScheme(bits: 8))
        let (outputs, inputs) = (layer.weight.shape[0], layer.weight.shape[1])
        quantized = q
        codes = (0..<(inputs * outputs)).map { k in Int8(q.codes[(k % outputs) * inputs + k / outputs]) }
        bias = layer.bias?.value.scalars
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The layer's output for one token `x` (`[in]` or `[1, in]`), in the same shape with `out` last.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.count == inputs && x.shape.last == inputs, "Int8Linear: takes one token of \(inputs) inputs, got \(x.shape)")
        var y = Tensor(zeros: Array(x.shape.dropLast()) + [outputs])
        x.withUnsafeFloats { input in
            y.withUnsafeMutableFloats { output in
                codes.withUnsafeBufferPointer { codes in
                    quantized.scales.withUnsafeBufferPointer { scales in
                        if let bias {
                            bias.withUnsafeBufferPointer {
                                kiln_int8_gemv_f32(codes.baseAddress, scales.baseAddress, inputs, outputs, input.baseAddress, $0.baseAddress,
                                                   output.baseAddress)
                            }
                        } else {
                            kiln_int8_gemv_f32(codes.baseAddress, scales.baseAddress, inputs, outputs, input.baseAddress, nil, output.baseAddress)
                        }
                    }
                }
            }
        }
        return y
    }
}
