import Kiln

/// The self-supervised prototype metric of Sorscher et al., "Beyond neural scaling laws: beating
/// power law scaling via data pruning" (2022): cluster the examples' embeddings with k-means and
/// score each example by its cosine distance to the nearest centroid. Examples near a prototype
/// are easy, far ones hard; no label is used.
///
/// The paper embeds with a self-supervised network (SwAV); the caller chooses the embedding here.
/// The clustering is spherical k-means (Lloyd's iterations on unit-length embeddings, assigning
/// by cosine similarity), so the clusters and the scored distance use one geometry.
public struct PrototypeDistance {
    /// The unit-length centroids, `[clusters, D]`.
    public let centroids: Tensor
    /// The nearest centroid of each embedding the clustering saw.
    public let assignments: [Int]
    /// 1 − cos(embedding, nearest centroid) of each embedding the clustering saw.
    public let distances: [Float]

    /// Clusters the rows of `embeddings` (`[N, D]`, N ≥ `clusters`) into `clusters` groups by
    /// `iterations` Lloyd steps from distinct rows drawn by `generator` (stopping early when no
    /// assignment changes).
    public init(embeddings: Tensor, clusters: Int, iterations: Int = 20, generator: RandomGenerator) {
        precondition(embeddings.rank == 2 && clusters >= 1 && clusters <= embeddings.shape[0],
                     "PrototypeDistance: expects [N, D] embeddings with 1 ≤ clusters ≤ N, got \(embeddings.shape) and \(clusters)")
        let (centers, nearest, similarity) = withoutGradient { () -> (Tensor, [Int], [Float]) in
            let points = Self.unitRows(embeddings.detached())
            let start = Array(Tensor.randomPermutation(points.shape[0], generator: generator).integers.prefix(clusters))
            var centers = points.indexSelect(axis: 0, indices: Tensor(start))
            var (nearest, similarity) = Self.assign(points, centers)
            for _ in 0..<iterations {
                centers = Self.means(points, nearest, previous: centers)
                let next = Self.assign(points, centers)
                let changed = next.nearest != nearest
                (nearest, similarity) = next
                if !changed { break }
            }
            return (centers, nearest, similarity)
        }
        centroids = centers
        assignments = nearest
        distances = similarity.map { 1 - $0 }
    }

    /// Rows scaled to unit length (zero rows stay zero).
    static func unitRows(_ x: Tensor) -> Tensor {
        x / x.norm(axis: 1, keepingDims: true).clamped(min: 1e-12)
    }

    /// The most similar centroid of each point, and that cosine similarity.
    static func assign(_ points: Tensor, _ centers: Tensor) -> (nearest: [Int], similarity: [Float]) {
        let similarities = points.matmul(centers.transposed())
        let (best, index) = similarities.max(axis: 1)
        return (index.integers, best.scalars)
    }

    /// The unit-length mean direction of each cluster; a cluster left empty keeps its centroid.
    static func means(_ points: Tensor, _ nearest: [Int], previous: Tensor) -> Tensor {
        let k = previous.shape[0]
        let membership = Tensor(nearest).oneHot(classes: k)
        let sums = membership.transposed().matmul(points)
        let sizes = membership.sum(axis: 0).scalars
        var rows = sums.scalars
        let old = previous.scalars, d = points.shape[1]
        for c in 0..<k where sizes[c] == 0 { for j in 0..<d { rows[c * d + j] = old[c * d + j] } }
        return unitRows(Tensor(rows, shape: [k, d]))
    }
}
