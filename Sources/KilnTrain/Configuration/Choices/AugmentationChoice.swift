import KilnData

/// Training-time augmentation of image data, by name.
public enum AugmentationChoice: String, NamedChoice {
    /// No augmentation.
    case none
    /// Random horizontal flips.
    case flip
    /// Random horizontal flips and random crops of the image padded by 2.
    case flipCrop = "flip+crop"

    public static let setting = "augment"

    /// The loader's transforms; none for inputs that are not images.
    public func make(images: Bool) -> [any BatchTransform] {
        guard images else { return [] }
        switch self {
        case .none: return []
        case .flip: return [RandomHorizontalFlip()]
        case .flipCrop: return [RandomHorizontalFlip(), RandomCrop(padding: 2)]
        }
    }
}
