import Foundation
import KilnLab
import KilnTestSupport
import KilnTrain
import Testing

/// The proxies and rank correlations against NumPy and SciPy (`scripts/fixtures/make_lab.py`).
@Suite struct ArchitectureFixtureTests {
    nonisolated(unsafe) static let fixtures = FixtureFile.load("lab", from: .module)

    static func value(_ key: String) -> Double { Double(fixtures[key]!.item) }

    @Test func hiddenCovarianceMatchesNumPy() {
        expectClose(hiddenCovariance(Self.fixtures["hidden_states"]!), Self.value("hidden_covariance"), relative: 1e-5)
    }

    @Test func jacobianCorrelationScoreMatchesNumPy() {
        let eigenvalues = CovarianceScore.correlationEigenvalues(of: Self.fixtures["jacobians"]!)
        expectClose(CovarianceScore.score(eigenvalues: eigenvalues), Self.value("jacobian_covariance"), relative: 1e-5)
    }

    @Test func naswotMatchesNumPysLogDeterminant() {
        let relu = ReLU()
        let inputs = Self.fixtures["naswot_preactivations"]!
        let probe = ArchitectureProbe(model: Sequential([relu]), inputs: inputs,
                                      labels: Tensor(Array(repeating: 0, count: inputs.shape[0]), shape: [inputs.shape[0]]), hiddenLayers: [relu])
        expectClose(ArchitectureProxy.naswot.score(probe), Self.value("naswot"), relative: 1e-5)
    }

    @Test func rankCorrelationsWithTiesMatchSciPy() {
        let architecture = CandidateArchitecture(family: .mlp, depth: 1, width: 16, activation: .relu, norm: .none)
        var settings = ArchitectureSearchSettings()
        (settings.proxies, settings.combined) = ([.params], [])
        let candidates = zip(Self.fixtures["proxy_scores"]!.scalars, Self.fixtures["accuracies"]!.scalars).map { score, accuracy in
            ArchitectureSearchResult.Candidate(architecture: architecture, scores: [.params: Double(score)], target: Double(accuracy))
        }
        let correlation = ArchitectureSearchResult(settings: settings, candidates: candidates).correlations[0]
        expectClose(correlation.kendall, Self.value("kendall"), relative: 1e-6)
        expectClose(correlation.spearman, Self.value("spearman"), relative: 1e-6)
    }
}
