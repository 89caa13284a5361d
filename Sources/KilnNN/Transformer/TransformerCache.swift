import Kiln

/// The key/value caches of every attention layer of a decoder, for generating token by token.
public struct TransformerCache {
    /// One cache per block, in order.
    public let layers: [KeyValueCache]

    /// Empty caches for `layers` blocks, each reserving room for `capacity` positions.
    public init(layers: Int, capacity: Int = 0) {
        self.layers = (0..<layers).map { _ in KeyValueCache(capacity: capacity) }
    }

    /// The number of positions already seen: the position of the next token.
    public var count: Int { layers.first?.count ?? 0 }

    /// Forgets every cached position, keeping the storage for the next sequence.
    public func removeAll() { layers.forEach { $0.removeAll() } }
}
