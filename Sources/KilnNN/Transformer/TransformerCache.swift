import Kiln

/// The key/value caches of every attention layer of a decoder, for generating token by token.
public struct TransformerCache {
    /// One cache per block, in order.
    public let layers: [KeyValueCache]

    /// Empty caches for `layers` blocks.
    public init(layers: Int) {
        self.layers = (0..<layers).map { _ in KeyValueCache() }
    }

    /// The number of positions already seen: the position of the next token.
    public var count: Int { layers.first?.count ?? 0 }
}
