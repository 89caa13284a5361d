import Kiln

/// The prediction of Loki, Geometry-Aware Adaptation (Roberts et al. 2023, "Geometry-Aware
/// Adaptation for Pretrained Models"): each row's label is the Fréchet mean of the model's class
/// distribution in a metric space of labels,
///
///     ŷ = argmin over labels y of Σᵢ P(λᵢ | x) · d(y, λᵢ)²,
///
/// where λ₁…λ_k are the classes the model outputs and y ranges over every label of the space, which
/// may include labels the model was never trained on.
///
/// - Parameters:
///   - probabilities: `[N, k]` class probabilities of the model (rows summing to 1).
///   - distances: `[K, k]`: `distances[y, i]` = d(y, λᵢ), the distance from each of the K labels of
///     the space to each of the model's classes.
/// - Returns: int64 `[N]`, the label (row of `distances`) each row predicts; ties go to the lowest.
///
/// With the discrete metric (d = 0 on a class itself, 1 otherwise) and K = k, it is the argmax.
public func frechetMeanPrediction(probabilities: Tensor, distances: Tensor) -> Tensor {
    precondition(probabilities.rank == 2 && distances.rank == 2 && distances.shape[1] == probabilities.shape[1],
                 "frechetMeanPrediction: probabilities [N, k] and distances [K, k] must share k, got \(probabilities.shape) and \(distances.shape)")
    return withoutGradient {
        let variance = probabilities.detached().matmul((distances * distances).transposed())   // [N, K]
        return variance.argmin(axis: 1)
    }
}
