import Foundation
@testable import Kiln
import KilnTestSupport
import Testing

@Suite struct ViewTests {
    let base = Tensor((0..<24).map { Float($0) }, shape: [2, 3, 4])

    @Test func viewsShareStorageAndReadTheRightElements() {
        let t = base.permuted(2, 0, 1)
        #expect(t.storage === base.storage && !t.isContiguous)
        #expect(t.shape == [4, 2, 3] && t[1][1].scalars == [13, 17, 21])
        let stepped = base.slice(axis: 2, 1..<4, step: 2)
        #expect(stepped.storage === base.storage && stepped.scalars == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
        let expanded = Tensor([1, 2] as [Float], shape: [2, 1]).expanded(to: [2, 3])
        #expect(expanded.strides == [1, 0] && expanded.scalars == [1, 1, 1, 2, 2, 2])
        #expect(base.reshaped(6, 4).storage === base.storage)
        #expect(base.unsqueezed(1).shape == [2, 1, 3, 4] && base.unsqueezed(1).squeezed(1).scalars == base.scalars)
        #expect(base.transposed().T.scalars == base.scalars)
    }

    @Test func mutatingACopyOrAViewNeverChangesTheOriginal() {
        var copy = base
        copy.withUnsafeMutableFloats { $0[0] = 100 }
        #expect(base.scalars[0] == 0 && copy.scalars[0] == 100)
        var view = base.slice(axis: 0, 1..<2)
        view.withUnsafeMutableFloats { $0[0] = -1 }
        #expect(base.scalars[12] == 12 && view.scalars[0] == -1)
        var target = base
        target.assign(Tensor(zeros: [2, 3, 1]), axis: 2, 0..<1)
        #expect(base.scalars[4] == 4 && target.scalars[4] == 0 && target.scalars[5] == 5)
    }

    @Test func uniquelyOwnedTensorsAreWrittenInPlace() {
        var t = Tensor((0..<8).map { Float($0) })
        let before = t.storage.base
        t.withUnsafeMutableFloats { $0[3] = 30 }
        #expect(t.storage.base == before && t.scalars[3] == 30)
    }

    @Test func incompatibleShapesStopNamingTheOpAndBothShapes() async {
        let add = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2, 3]) + Tensor(zeros: [4])
        }
        #expect(stderrText(add).contains("add: shapes [2, 3] and [4] do not broadcast"))
        let product = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2, 3]).matmul(Tensor(zeros: [4, 5]))
        }
        let text = stderrText(product)
        #expect(text.contains("matmul") && text.contains("[2, 3]") && text.contains("[4, 5]"))
    }
}
