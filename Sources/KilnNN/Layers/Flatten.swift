import Kiln

/// Merges dimensions `startDim` through `endDim` into one (by default all but the batch dimension).
public final class Flatten: Module {
    public let startDim: Int
    public let endDim: Int

    /// Flattening of dimensions `startDim` through `endDim`; negative dimensions count from the end.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { x.flattened(from: startDim, through: endDim) }

    public override var extraDescription: String { "start_dim=\(startDim), end_dim=\(endDim)" }
}
