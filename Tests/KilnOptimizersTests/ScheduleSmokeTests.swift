import KilnOptimizers
import Testing

@Test func optimizersModuleSeesKiln() {
    #expect(Tensor([1, 2] as [Float]).count == 2)
}
