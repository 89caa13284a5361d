import Kiln

/// The keys and values an attention layer has computed so far, so that generating the next token
/// projects only that token and attends to everything before it.
///
/// Keys are stored after any rotary position embedding, `[B, Hkv, T, D]`; ``count`` is the number of
/// positions already seen, which is the position of the next token.
public final class KeyValueCache {
    /// The cached keys `[B, Hkv, T, D]`, or nil before the first token.
    public private(set) var keys: Tensor?
    /// The cached values `[B, Hkv, T, Dv]`, or nil before the first token.
    public private(set) var values: Tensor?

    /// An empty cache.
    public init() {}

    /// The number of cached positions.
    public var count: Int { keys?.shape[2] ?? 0 }

    /// Appends the keys and values of new positions and returns every cached one.
    public func append(keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
        precondition(newKeys.rank == 4 && newValues.rank == 4 && newKeys.shape[2] == newValues.shape[2],
                     "KeyValueCache.append: expects keys [B, H, T, D] and values [B, H, T, Dv], got \(newKeys.shape) and \(newValues.shape)")
        guard let keys, let values else {
            (keys, values) = (newKeys, newValues)
            return (newKeys, newValues)
        }
        precondition(Array(keys.shape.prefix(2)) == Array(newKeys.shape.prefix(2)) && keys.shape[3] == newKeys.shape[3]
                     && values.shape[3] == newValues.shape[3],
                     "KeyValueCache.append: new keys \(newKeys.shape) / values \(newValues.shape) do not continue \(keys.shape) / \(values.shape)")
        self.keys = Tensor.concatenate([keys, newKeys], axis: 2)
        self.values = Tensor.concatenate([values, newValues], axis: 2)
        return (self.keys!, self.values!)
    }

    /// Forgets every cached position.
    public func removeAll() { (keys, values) = (nil, nil) }
}
