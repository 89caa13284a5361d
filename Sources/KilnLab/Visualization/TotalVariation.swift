import Kiln

/// The total-variation prior of images: the sum, over the last two axes (height, width) of `image`,
/// of the squared differences between vertically and horizontally adjacent pixels (the β = 2
/// variant of Mahendran and Vedaldi, smooth everywhere), summed over every leading axis.
/// A constant image scores 0; edges and speckle score high, so subtracting it favours smooth images.
/// - Precondition: `image` has rank ≥ 2.
public func totalVariation(_ image: Tensor) -> Tensor {
    precondition(image.rank >= 2, "totalVariation: expects [..., H, W], got \(image.shape)")
    let h = image.rank - 2, w = image.rank - 1
    let (height, width) = (image.shape[h], image.shape[w])
    let down = image.slice(axis: h, 1..<height) - image.slice(axis: h, 0..<(height - 1))
    let right = image.slice(axis: w, 1..<width) - image.slice(axis: w, 0..<(width - 1))
    return (down * down).sum() + (right * right).sum()
}
