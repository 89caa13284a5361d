import Foundation
import Kiln
import KilnNN

/// The proxies read from the hidden layers of one forward pass: NASWOT, hidden covariance, W-PCA.
enum ActivationProxies {
    /// The inputs and outputs of each hidden layer in one training-mode forward pass of the batch.
    static func hiddenLayers(_ probe: ArchitectureProbe) -> [(input: Tensor, output: Tensor)] {
        var captured: [(Tensor, Tensor)] = []
        let handles = probe.hiddenLayers.map { layer in
            layer.addForwardHook { _, inputs, output in captured.append((inputs[0].detached(), output.detached())) }
        }
        defer { handles.forEach { $0.remove() } }
        probe.model.train()
        _ = withoutGradient { probe.model(probe.inputs) }
        return captured
    }

    /// log |K_H| with K_H = C·Cᵀ + (1 − C)·(1 − C)ᵀ over the binary codes C (pre-activation > 0)
    /// of every hidden unit; −∞ when two inputs share a code.
    static func naswot(_ probe: ArchitectureProbe) -> Double {
        let layers = hiddenLayers(probe)
        guard !layers.isEmpty else { return -.infinity }
        return withoutGradient {
            let n = probe.inputs.shape[0]
            let codes = Tensor.concatenate(layers.map { ($0.input .> 0).cast(to: .float32).reshaped([n, -1]) }, axis: 1)
            let kernel = codes.matmul(codes.transposed()) + (1 - codes).matmul((1 - codes).transposed())
            return logDeterminant(ofPositiveSemidefinite: kernel)
        }
    }

    /// ``hiddenCovariance(_:)`` of the last hidden layer, each example's outputs flattened; a
    /// sequence `[N, T, D]` read at its last position.
    static func hiddenCovariance(_ probe: ArchitectureProbe) -> Double {
        guard let last = hiddenLayers(probe).last?.output else { return .nan }
        let states = last.rank == 3 ? last.slice(axis: 1, (last.shape[1] - 1)..<last.shape[1]) : last
        return KilnLab.hiddenCovariance(states.reshaped([last.shape[0], -1]).contiguous())
    }

    /// Parameter count × Σ over hidden layers of the principal components reaching `threshold`
    /// of the variance; a feature map `[N, C, H, W]` is read as `N·H·W` observations of C channels,
    /// a sequence `[N, T, D]` as `N·T` observations of D features.
    static func wpca(_ probe: ArchitectureProbe, threshold: Double) -> Double {
        let components = hiddenLayers(probe).reduce(0) { sum, layer in
            let h = layer.output
            let rows = switch h.rank {
            case 4: h.permuted(0, 2, 3, 1).reshaped([-1, h.shape[1]])
            case 3: h.reshaped([-1, h.shape[2]])
            default: h.reshaped([h.shape[0], -1])
            }
            return sum + withoutGradient { SpectrumCounts.principalComponents(of: rows.contiguous(), reaching: threshold) }
        }
        return Double(probe.model.parameterCount) * Double(components)
    }

    /// log det of a symmetric positive semi-definite matrix: the sum of the logs of its
    /// eigenvalues (its singular values); −∞ when one is zero.
    static func logDeterminant(ofPositiveSemidefinite matrix: Tensor) -> Double {
        matrix.singularValues().scalars.reduce(0) { $0 + Foundation.log(Double($1)) }
    }
}
