/// Sizes read from files, checked with overflow-safe arithmetic before anything is allocated.
public enum CheckedSize {
    /// The most dimensions a tensor read from a file may have (NumPy's own limit is 64).
    public static let maximumRank = 64

    /// The element count of `shape`, or a sentence saying why it is not a valid tensor shape:
    /// too many dimensions, a negative dimension, or a count or stride that overflows `Int`.
    ///
    /// Zero dimensions count as one for the overflow check, because strides are computed so.
    public static func elementCount(_ shape: [Int]) -> Result<Int, ShapeProblem> {
        guard shape.count <= maximumRank else { return .failure(.tooManyDimensions(shape.count)) }
        var strideProduct = 1
        var count = 1
        for d in shape {
            guard d >= 0 else { return .failure(.negativeDimension(d)) }
            let (product, overflow) = strideProduct.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard !overflow else { return .failure(.overflow) }
            strideProduct = product
            count = d == 0 ? 0 : count * d   // never overflows: |count| ≤ strideProduct
        }
        return .success(count)
    }

    /// `count × itemSize`, or nil when the product overflows `Int`.
    public static func byteCount(_ count: Int, itemSize: Int) -> Int? {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: itemSize)
        return overflow ? nil : bytes
    }

    /// Why a shape read from a file was refused.
    public enum ShapeProblem: Error, CustomStringConvertible {
        case tooManyDimensions(Int)
        case negativeDimension(Int)
        case overflow

        public var description: String {
            switch self {
            case .tooManyDimensions(let rank): "\(rank) dimensions (at most \(CheckedSize.maximumRank))"
            case .negativeDimension(let d): "negative dimension \(d)"
            case .overflow: "element count overflows a 64-bit integer"
            }
        }
    }
}
