import Kiln

/// The keys and values an attention layer has computed so far, so that generating the next token
/// projects only that token and attends to everything before it.
///
/// Keys are stored after any rotary position embedding, `[B, Hkv, T, D]`; ``count`` is the number of
/// positions already seen, which is the position of the next token.
///
/// Storage is reserved ahead, `[B, Hkv, capacity, D]`: new positions are written in place and
/// ``keys`` and ``values`` are views of the filled prefix, so a token costs a copy of its own keys
/// and values, not of the whole cache. Past the reserve, capacity doubles. When the new keys or
/// values record gradients, they are joined to the prefix by a recorded concatenation instead,
/// so gradients reach every cached position as before.
public final class KeyValueCache {
    /// `[B, Hkv, capacity, D]`, filled up to ``count``; nil before the first token.
    private var keyStorage: Tensor?
    /// `[B, Hkv, capacity, Dv]`, filled up to ``count``; nil before the first token.
    private var valueStorage: Tensor?
    /// The positions to reserve at the first append.
    private var reserved: Int

    /// The number of cached positions.
    public private(set) var count = 0

    /// An empty cache that reserves room for `capacity` positions at its first append.
    public init(capacity: Int = 0) {
        precondition(capacity >= 0, "KeyValueCache: negative capacity \(capacity)")
        reserved = capacity
    }

    /// The positions the cache holds without growing: the reserve before the first append.
    public var capacity: Int { keyStorage?.shape[2] ?? reserved }

    /// The cached keys `[B, Hkv, T, D]`, or nil before the first token.
    public var keys: Tensor? { count > 0 ? keyStorage.map(filledPrefix) : nil }

    /// The cached values `[B, Hkv, T, Dv]`, or nil before the first token.
    public var values: Tensor? { count > 0 ? valueStorage.map(filledPrefix) : nil }

    /// Appends the keys and values of new positions and returns every cached one.
    public func append(keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
        precondition(newKeys.rank == 4 && newValues.rank == 4 && newKeys.shape[2] == newValues.shape[2],
                     "KeyValueCache.append: expects keys [B, H, T, D] and values [B, H, T, Dv], got \(newKeys.shape) and \(newValues.shape)")
        let continues = keyStorage.map { keys in
            let values = valueStorage!
            return Array(keys.shape.prefix(2)) == Array(newKeys.shape.prefix(2)) && keys.shape[3] == newKeys.shape[3]
                && Array(values.shape.prefix(2)) == Array(newValues.shape.prefix(2)) && values.shape[3] == newValues.shape[3]
        } ?? false
        precondition(count == 0 || continues,
                     "KeyValueCache.append: new keys \(newKeys.shape) / values \(newValues.shape) do not continue \(keys!.shape) / \(values!.shape)")
        let total = count + newKeys.shape[2]
        let storageRecords = keyStorage?.requiresGradient == true || valueStorage?.requiresGradient == true
        if GradMode.isEnabled && (newKeys.requiresGradient || newValues.requiresGradient || storageRecords) {
            let prefix = count > 0 ? (keys!, values!) : nil
            keyStorage = prefix.map { Tensor.concatenate([$0.0, newKeys], axis: 2) } ?? newKeys
            valueStorage = prefix.map { Tensor.concatenate([$0.1, newValues], axis: 2) } ?? newValues
        } else {
            if !continues {
                reserve(Swift.max(total, capacity), like: newKeys, newValues)
            } else if total > capacity || storageRecords {
                reserve(Swift.max(total, 2 * capacity), like: newKeys, newValues)
            }
            keyStorage!.assign(newKeys, axis: 2, count..<total)
            valueStorage!.assign(newValues, axis: 2, count..<total)
        }
        count = total
        return (keys!, values!)
    }

    /// Forgets every cached position, keeping the storage for the next sequence.
    public func removeAll() { count = 0 }

    /// Moves the filled prefix into new storage of `capacity` positions, shaped after the new keys
    /// and values (whose first dimensions the prefix shares).
    private func reserve(_ capacity: Int, like newKeys: Tensor, _ newValues: Tensor) {
        func storage(_ old: Tensor?, _ new: Tensor) -> Tensor {
            var shape = new.shape
            shape[2] = capacity
            var grown = Tensor(zeros: shape)
            if let old, count > 0 { grown.assign(old.slice(axis: 2, 0..<count), axis: 2, 0..<count) }
            return grown
        }
        keyStorage = storage(keyStorage, newKeys)
        valueStorage = storage(valueStorage, newValues)
    }

    /// Positions `0..<count` of `storage`: the storage itself when it is full.
    private func filledPrefix(_ storage: Tensor) -> Tensor {
        storage.shape[2] == count ? storage : storage.slice(axis: 2, 0..<count)
    }
}
