import KilnLab
import KilnTestSupport
import Testing

@Suite struct MultifacetedVisualizationTests {
    /// Class 0 holds two kinds of 2 × 2 image (5 bright at the top left, 3 bright at the bottom left,
    /// orthogonal directions), class 1 one kind; the last linear layer reads the flattened image.
    let images: Tensor = {
        let jitter = testTensor([10, 4], seed: 3, scale: 0.05).scalars
        let rows: [[Float]] = (0..<5).map { _ in [1, 0, 0, 0] } + (0..<3).map { _ in [0, 0, 1, 0] } + (0..<2).map { _ in [0, 1, 0, 1] }
        return Tensor(rows.enumerated().flatMap { i, row in row.enumerated().map { abs($1 + jitter[i * 4 + $0]) } }, shape: [10, 1, 2, 2])
    }()
    let labels = Tensor([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    let model = Sequential { Flatten(); Linear(4, 2, generator: RandomGenerator(seed: 5)) }

    @Test func eachFacetStartsFromTheMeanImageOfOneCluster() throws {
        let found = try MultifacetedVisualization(model: model, inputs: images, labels: labels, classes: [0], facets: 2,
                                                  ascent: ActivationMaximization(steps: 0, l2: 0), generator: RandomGenerator(seed: 1))
        let bySize = [images[0..<5].mean(axis: 0), images[5..<8].mean(axis: 0)]
        for j in 0..<2 {
            expectClose(found.starts[0][j].scalars, bySize[j].scalars, relative: 1e-6)
            #expect(found.images[0][j].scalars == found.starts[0][j].scalars, "no step leaves the start")
        }
    }

    @Test func theAscentRaisesTheClassLogitOfEveryFacet() throws {
        let found = try MultifacetedVisualization(model: model, inputs: images, labels: labels, classes: [0, 1], facets: 2,
                                                  ascent: ActivationMaximization(steps: 20, l2: 1e-3, totalVariation: 1e-3, range: 0...1),
                                                  generator: RandomGenerator(seed: 1))
        for i in 0..<2 {
            for j in 0..<2 {
                #expect(found.logits[i][j] > found.startLogits[i][j])
                #expect(found.images[i][j].scalars.allSatisfy { (0...1).contains($0) })
            }
        }
        #expect(throws: InputError.self) {
            try MultifacetedVisualization(model: model, inputs: images, labels: labels, classes: [1], facets: 3,
                                          ascent: ActivationMaximization(steps: 0, l2: 0), generator: RandomGenerator(seed: 1))
        }
    }
}
