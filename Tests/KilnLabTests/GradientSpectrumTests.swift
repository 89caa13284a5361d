import Foundation
import KilnLab
import KilnTestSupport
import Testing

@Suite struct GradientSpectrumTests {
    @Test func closedForms() {
        // diag(3, 1): σ = (3, 1), σ̃ = (3/4, 1/4).
        let diagonal = SpectralSummary(of: Tensor([3, 0, 0, 1] as [Float], shape: [2, 2]))
        expectClose(diagonal.nuclearNorm, 4, relative: 1e-6)
        expectClose(diagonal.effectiveRank, exp(-(0.75 * log(0.75) + 0.25 * log(0.25))), relative: 1e-6)
        // A rank-one matrix u·vᵀ: one singular value |u|·|v|, effective rank 1.
        let u = Tensor([1, 2, 2] as [Float], shape: [3, 1]), v = Tensor([3, 4] as [Float], shape: [1, 2])
        let outer = SpectralSummary(of: u.matmul(v))
        expectClose(outer.nuclearNorm, 15, relative: 1e-5)
        expectClose(outer.effectiveRank, 1, relative: 1e-5)
        // 2·(a rotation): every singular value 2, effective rank n.
        let c = Float(cos(0.3)), s = Float(sin(0.3))
        let rotation = SpectralSummary(of: Tensor([2 * c, -2 * s, 2 * s, 2 * c] as [Float], shape: [2, 2]))
        expectClose(rotation.nuclearNorm, 4, relative: 1e-6)
        expectClose(rotation.effectiveRank, 2, relative: 1e-6)
        #expect(SpectralSummary(of: Tensor(zeros: [2, 3])) == SpectralSummary(singularValues: [0, 0]))
        #expect(SpectralSummary(singularValues: [0, 0]).effectiveRank == 0)
    }

    @Test func layerwiseSpectraReadKernelsAsMatricesAndSkipVectors() {
        let kernel = Tensor([3, 0, 0, 1] as [Float], shape: [2, 1, 2])
        let gradients = Gradients(["conv.weight": kernel, "conv.bias": Tensor([1, 2] as [Float])])
        let spectra = gradients.spectra
        #expect(Set(spectra.keys) == ["conv.weight"])
        expectClose(spectra["conv.weight"]!.nuclearNorm, 4, relative: 1e-6)
    }

    @Test func nuclearNormGradient() {
        let m = testTensor([3, 4], seed: 11)
        let value = nuclearNorm(m).item
        expectClose(Double(value), SpectralSummary(of: m).nuclearNorm, relative: 1e-6)
        checkGradients([m], eps: 1e-3) { nuclearNorm($0[0]) }
    }
}
