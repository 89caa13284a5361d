import Kiln

// MARK: Functions

/// Sorts each group of `groupSize` consecutive features along the last dimension, largest
/// first (GroupSort, Anil et al. 2019).
///
/// A permutation of each group: 1-Lipschitz, and it keeps the sum and the norm of its input.
/// The gradient follows each value to where it came from.
public func groupSort(_ x: Tensor, groupSize: Int) -> Tensor {
    let n = x.shape.last ?? 1
    precondition(x.rank >= 1 && groupSize >= 1 && n % groupSize == 0,
                 "groupSort: group size \(groupSize) does not divide the last dimension of \(x.shape)")
    if groupSize == 1 { return x }
    let grouped = x.reshaped(Array(x.shape.dropLast()) + [n / groupSize, groupSize])
    return grouped.sorted(axis: -1, descending: true).values.reshaped(x.shape)
}

/// Each pair of consecutive features along the last dimension as (max, min): ``groupSort(_:groupSize:)``
/// with groups of two.
public func maxMin(_ x: Tensor) -> Tensor { groupSort(x, groupSize: 2) }

// MARK: Modules

/// Applies ``groupSort(_:groupSize:)``.
public final class GroupSort: Module {
    /// Features per sorted group.
    public let groupSize: Int

    /// Sorting in groups of `groupSize` (at least 1) consecutive features.
    public init(groupSize: Int) {
        precondition(groupSize >= 1, "GroupSort: group size must be at least 1, got \(groupSize)")
        self.groupSize = groupSize
        super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { groupSort(x, groupSize: groupSize) }
}

/// Applies ``maxMin(_:)``.
public final class MaxMin: Module {
    public override func forward(_ x: Tensor) -> Tensor { maxMin(x) }
}
