import Kiln

/// Runs of consecutive layers that ``Sequential`` computes as one fused op: the values, gradients and
/// state updates are those of the layers one by one, with fewer passes over memory and less kept for
/// the backward pass. A layer with forward hooks or pre-hooks is never fused, so hooks see every layer.
enum LayerFusion {
    /// The output of the fused run that starts at `layers[index]` on input `x`, and how many layers it
    /// covers; nil when no fused run starts there.
    static func apply(_ layers: [Module], at index: Int, to x: Tensor) -> (output: Tensor, layers: Int)? {
        guard index + 2 < layers.count, x.rank == 4, x.shape[2] >= 2, x.shape[3] >= 2,
              let norm = layers[index] as? BatchNorm2d, layers[index + 1] is ReLU,
              let pool = layers[index + 2] as? MaxPool2d, isPlain2x2(pool, height: x.shape[2], width: x.shape[3]),
              layers[index...index + 2].allSatisfy({ $0.forwardHooks.isEmpty && $0.forwardPreHooks.isEmpty })
        else { return nil }
        return (norm.forwardThroughReLUMaxPool2x2(x), 3)
    }

    /// Whether `pool` takes 2 × 2 windows at stride 2 without padding or dilation, each window whole.
    private static func isPlain2x2(_ pool: MaxPool2d, height: Int, width: Int) -> Bool {
        pool.kernelSize == (2, 2) && pool.stride == (2, 2) && pool.padding == (0, 0) && pool.dilation == (1, 1)
            && (!pool.ceilMode || (height % 2 == 0 && width % 2 == 0))
    }
}
