import Kiln
import KilnNN

/// Why models could not be merged.
///
/// Model numbers are positions in the list given to ``ModelMerging``; model 0 is the reference
/// every other model is compared with.
public enum ModelMergingError: Error, CustomStringConvertible, Equatable {
    /// Model `model` lacks the tensor `name` that model 0 has.
    case missing(name: String, model: Int)
    /// Model `model` has a tensor `name` that model 0 lacks.
    case unexpected(name: String, model: Int)
    /// The tensor `name` has shape `found` in model `model` but `expected` in model 0.
    case shapeMismatch(name: String, model: Int, expected: [Int], found: [Int])
    /// The tensor `name` holds `found` values in model `model` but `expected` values in model 0.
    case typeMismatch(name: String, model: Int, expected: DType, found: DType)
    /// The Fisher of model `model` has an entry `name` that is not a parameter of the models.
    case unexpectedFisher(name: String, model: Int)
    /// The Fisher of model `model` has shape `found` for parameter `name`, whose shape is `expected`.
    case fisherShapeMismatch(name: String, model: Int, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missing(name, model): "model \(model) has no tensor '\(name)', which model 0 has"
        case let .unexpected(name, model): "model \(model) has a tensor '\(name)', which model 0 lacks"
        case let .shapeMismatch(name, model, expected, found):
            "tensor '\(name)' has shape \(found) in model \(model) but \(expected) in model 0"
        case let .typeMismatch(name, model, expected, found):
            "tensor '\(name)' holds \(found) values in model \(model) but \(expected) in model 0"
        case let .unexpectedFisher(name, model): "the Fisher of model \(model) has an entry '\(name)', which is not a parameter"
        case let .fisherShapeMismatch(name, model, expected, found):
            "the Fisher of model \(model) has shape \(found) for parameter '\(name)' of shape \(expected)"
        }
    }
}

/// How merging treats buffers, such as BatchNorm's running statistics.
public enum BufferMerging: Sendable, Equatable {
    /// Float buffers are averaged with the models' weights; integer and Boolean buffers (such as
    /// `num_batches_tracked`) are taken from model 0.
    ///
    /// Averaged running statistics only approximate the merged network's own; re-estimating them
    /// on data after merging is often better.
    case average
    /// Every buffer is taken from model 0.
    case first
}

/// Merging several models of one architecture into one set of weights.
///
/// Each function returns a state dictionary (parameter and buffer paths, as ``Module/stateDict()``)
/// that ``Module/load(stateDict:strict:)`` puts into any model of the same architecture:
///
/// ```swift
/// let merged = try ModelMerging.average([modelA, modelB], weights: [0.3, 0.7])
/// try target.load(stateDict: merged)
///
/// let fishers = [modelA, modelB].map { DiagonalFisher.estimate(of: $0, loader: loader) }
/// try target.load(stateDict: try ModelMerging.fisherWeighted([modelA, modelB], fishers: fishers))
/// ```
///
/// Weights are normalized by their sum; models with weight 0 are left out entirely. The models
/// must have the same parameter and buffer names with the same shapes and element types;
/// otherwise a ``ModelMergingError`` names the first tensor that differs.
public enum ModelMerging {
    /// The weighted average θ = Σᵢ wᵢ θᵢ / Σᵢ wᵢ of each parameter (uniform when `weights` is nil),
    /// as in model soups and federated averaging.
    ///
    /// - Parameter buffers: averaged like parameters by default (see ``BufferMerging``).
    public static func average(_ models: [Module], weights: [Double]? = nil,
                               buffers: BufferMerging = .average) throws(ModelMergingError) -> [String: Tensor] {
        let states = try CheckedStates(models)
        let w = normalized(weights, count: models.count, op: "ModelMerging.average")
        var merged = states.mergedBuffers(weights: w, mode: buffers)
        for name in states.parameterNames { merged[name] = weightedSum(states.tensors(name), w) }
        return merged
    }

    /// Fisher-weighted averaging (Matena & Raffel 2022): θ = Σᵢ λᵢ Fᵢ θᵢ / Σᵢ λᵢ Fᵢ per parameter
    /// element, where Fᵢ is model i's diagonal Fisher floored at `fisherFloor`.
    ///
    /// The floor makes elements where every Fisher is (nearly) zero fall back to the plain
    /// λ-weighted average. Its default, 10⁻⁶, is the `fisher_floor` of the paper's reference
    /// implementation, which floors only model 0's Fisher; here all are floored, so no model is
    /// favoured. Parameters missing from a Fisher (frozen ones) count as zero Fisher there.
    /// The reference implementation also divides each Fisher by its L2 norm over all parameters;
    /// passing λᵢ / ‖Fᵢ‖ as `weights` does the same.
    ///
    /// - Parameters:
    ///   - fishers: one per model, such as ``DiagonalFisher/estimate(of:batches:labels:logLikelihood:)``.
    ///   - weights: the λᵢ, uniform when nil.
    ///   - buffers: buffers have no Fisher and are merged with the λᵢ alone (see ``BufferMerging``).
    public static func fisherWeighted(_ models: [Module], fishers: [DiagonalFisher], weights: [Double]? = nil,
                                      fisherFloor: Float = 1e-6,
                                      buffers: BufferMerging = .average) throws(ModelMergingError) -> [String: Tensor] {
        precondition(fishers.count == models.count,
                     "ModelMerging.fisherWeighted: \(fishers.count) Fishers for \(models.count) models")
        precondition(fisherFloor > 0 && fisherFloor.isFinite,
                     "ModelMerging.fisherWeighted: the Fisher floor must be positive and finite, got \(fisherFloor)")
        let states = try CheckedStates(models)
        try states.check(fishers)
        let lambdas = normalized(weights, count: models.count, op: "ModelMerging.fisherWeighted")
        var merged = states.mergedBuffers(weights: lambdas, mode: buffers)
        let floor = Tensor(fisherFloor)
        for name in states.parameterNames {
            var numerator: Tensor?, denominator: Tensor?
            for (i, theta) in states.tensors(name).enumerated() where lambdas[i] > 0 {
                let fisher = fishers[i][name].map { maximum($0, floor) } ?? Tensor(repeating: fisherFloor, shape: theta.shape)
                let weight = fisher * lambdas[i]
                numerator = numerator.map { $0 + weight * theta } ?? weight * theta
                denominator = denominator.map { $0 + weight } ?? weight
            }
            merged[name] = numerator! / denominator!
        }
        return merged
    }

    /// The weights divided by their sum (all ones when nil).
    static func normalized(_ weights: [Double]?, count: Int, op: String) -> [Float] {
        let w = weights ?? Array(repeating: 1, count: count)
        precondition(w.count == count, "\(op): \(w.count) weights for \(count) models")
        let total = w.reduce(0, +)
        precondition(w.allSatisfy { $0 >= 0 && $0.isFinite } && total > 0,
                     "\(op): weights must be finite, non-negative and not all zero, got \(w)")
        return w.map { Float($0 / total) }
    }

    /// Σᵢ wᵢ tᵢ over the terms with positive weight.
    static func weightedSum(_ tensors: [Tensor], _ weights: [Float]) -> Tensor {
        let terms = zip(tensors, weights).filter { $0.1 > 0 }.map { $0.0 * $0.1 }
        return terms.dropFirst().reduce(terms[0], +)
    }
}

/// The state dictionaries of models checked to share tensor names, shapes and element types.
private struct CheckedStates {
    let parameterNames: [String]
    let bufferNames: [String]
    let dicts: [[String: Tensor]]

    init(_ models: [Module]) throws(ModelMergingError) {
        precondition(!models.isEmpty, "ModelMerging: needs at least one model")
        parameterNames = models[0].namedParameters().map(\.name)
        bufferNames = models[0].namedBuffers().map(\.name)
        dicts = models.map { $0.stateDict() }
        for (i, model) in models.enumerated().dropFirst() {
            try Self.compare(parameterNames, model.namedParameters().map(\.name), model: i)
            try Self.compare(bufferNames, model.namedBuffers().map(\.name), model: i)
            for name in parameterNames + bufferNames {
                let reference = dicts[0][name]!, other = dicts[i][name]!
                guard other.dtype == reference.dtype else {
                    throw .typeMismatch(name: name, model: i, expected: reference.dtype, found: other.dtype)
                }
                guard other.shape == reference.shape else {
                    throw .shapeMismatch(name: name, model: i, expected: reference.shape, found: other.shape)
                }
            }
        }
    }

    /// Throws for the first name that only one of the two lists has.
    private static func compare(_ expected: [String], _ found: [String], model: Int) throws(ModelMergingError) {
        let foundSet = Set(found), expectedSet = Set(expected)
        if let name = expected.first(where: { !foundSet.contains($0) }) { throw .missing(name: name, model: model) }
        if let name = found.first(where: { !expectedSet.contains($0) }) { throw .unexpected(name: name, model: model) }
    }

    /// Throws if a Fisher names a tensor that is not a parameter or has another shape.
    func check(_ fishers: [DiagonalFisher]) throws(ModelMergingError) {
        let parameters = Set(parameterNames)
        for (i, fisher) in fishers.enumerated() {
            for name in fisher.byName.keys.sorted() {
                guard parameters.contains(name) else { throw .unexpectedFisher(name: name, model: i) }
                let expected = dicts[0][name]!.shape, found = fisher.byName[name]!.shape
                guard found == expected else {
                    throw .fisherShapeMismatch(name: name, model: i, expected: expected, found: found)
                }
            }
        }
    }

    /// The tensor `name` of every model, in model order.
    func tensors(_ name: String) -> [Tensor] { dicts.map { $0[name]! } }

    /// The buffers merged as `mode` says, with normalized `weights`.
    func mergedBuffers(weights: [Float], mode: BufferMerging) -> [String: Tensor] {
        var merged: [String: Tensor] = [:]
        for name in bufferNames {
            let first = dicts[0][name]!
            merged[name] = mode == .average && first.dtype == .float32 ? ModelMerging.weightedSum(tensors(name), weights) : first
        }
        return merged
    }
}
