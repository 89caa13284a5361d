@testable import Kiln
import KilnTestSupport
import Testing

@Suite struct GraphReleaseTests {
    /// A two-layer network's loss; reports its hidden activation's node and storage through `spy`.
    func loss(_ p: [Tensor], _ x: Tensor, spy: (GradNode?, TensorStorage) -> Void = { _, _ in }) -> Tensor {
        let hidden = (x.matmul(p[0]) + p[1]).tanh()
        spy(hidden.gradNode, hidden.storage)
        let out = hidden.matmul(p[2]) + p[3]
        return (out * out).mean()
    }

    let params = [testTensor([8, 16], seed: 1), testTensor([16], seed: 2), testTensor([16, 4], seed: 3), testTensor([4], seed: 4)]
    let x = testTensor([5, 8], seed: 5)

    @Test func graphAndSavedTensorsAreFreedAfterBackward() {
        weak var node: GradNode?
        weak var storage: TensorStorage?
        let (value, grads) = valueAndGradient(at: params) { p in
            loss(p, x) { node = $0; storage = $1 }
        }
        #expect(value.item > 0 && grads.count == 4)
        #expect(node == nil, "the hidden activation's autodiff node outlived backward")
        #expect(storage == nil, "the hidden activation's storage outlived backward")
    }

    @Test func backwardReleasesTheGraphEvenWhileTheLossIsHeld() {
        weak var node: GradNode?
        let leaves = params.map { $0.requiringGradient() }
        let l = loss(leaves, x) { n, _ in node = n }
        l.backward()
        #expect(node == nil, "interior nodes are released during backward")
        #expect(leaves.allSatisfy { $0.grad != nil })
    }

    @Test func repeatedStepsKeepNoTensorsAlive() {
        // Many steps in a row: each step's graph is gone by the next, so only the parameters live on.
        var p = params
        var lastNode: [GradNode?] = []
        for _ in 0..<200 {
            weak var node: GradNode?
            let (_, grads) = valueAndGradient(at: p) { q in loss(q, x) { n, _ in node = n } }
            p = zip(p, grads).map { $0 - 0.01 * $1 }
            lastNode.append(node)
        }
        #expect(lastNode.allSatisfy { $0 == nil })
    }
}
