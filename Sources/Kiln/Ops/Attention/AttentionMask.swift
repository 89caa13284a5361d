/// Which query–key pairs attention may use, and biases added to the scores: PyTorch's
/// `is_causal` and `attn_mask` (bool or float) in one value.
///
/// Scores are `[B, H, Tq, Tk]`. ``allowed`` (bool) and ``additive`` (float) broadcast to that
/// shape. A causal mask lets query `i` see keys `j ≤ i + Tk − Tq`: aligned at the bottom right,
/// so a query block that continues a cached prefix (Tq < Tk) sees the whole prefix; for
/// Tq = Tk this is PyTorch's `is_causal=True`.
public struct AttentionMask {
    /// Whether each query sees only keys at or before its own position.
    public var isCausal: Bool
    /// Bool, broadcastable to `[B, H, Tq, Tk]`: true where a query may attend to a key.
    public var allowed: Tensor?
    /// Float, broadcastable to `[B, H, Tq, Tk]`: added to the scaled scores (ALiBi, relative biases).
    public var additive: Tensor?

    /// A mask from its parts; every part is optional.
    public init(isCausal: Bool = false, allowed: Tensor? = nil, additive: Tensor? = nil) {
        if let allowed { precondition(allowed.dtype == .bool, "AttentionMask: allowed must be bool, got \(allowed.dtype) \(allowed.shape)") }
        if let additive { precondition(additive.dtype == .float32, "AttentionMask: additive must be float, got \(additive.dtype) \(additive.shape)") }
        self.isCausal = isCausal
        self.allowed = allowed
        self.additive = additive
    }

    /// Every query sees every key.
    public static var none: AttentionMask { AttentionMask() }
    /// Each query sees keys up to its own position.
    public static var causal: AttentionMask { AttentionMask(isCausal: true) }

    /// A mask that hides padding keys: `keys` is bool `[B, Tk]`, true for a real key.
    public static func keyPadding(_ keys: Tensor, isCausal: Bool = false) -> AttentionMask {
        precondition(keys.rank == 2 && keys.dtype == .bool, "AttentionMask.keyPadding: expects bool [B, Tk], got \(keys.dtype) \(keys.shape)")
        return AttentionMask(isCausal: isCausal, allowed: keys.reshaped([keys.shape[0], 1, 1, keys.shape[1]]))
    }

    /// The bool `[Tq, Tk]` causal pattern: true where key `j ≤ i + Tk − Tq`.
    public static func causalPattern(queries: Int, keys: Int) -> Tensor {
        Tensor.tril(rows: queries, columns: keys, diagonal: keys - queries)
    }

    /// Which scores of a `[B, H, Tq, Tk]` score tensor may be used, or nil when all may.
    public func allowedScores(queries: Int, keys: Int) -> Tensor? {
        let causal = isCausal ? Self.causalPattern(queries: queries, keys: keys) : nil
        switch (causal, allowed) {
        case let (c?, a?): return c .& a
        case let (c?, nil): return c
        case let (nil, a?): return a
        case (nil, nil): return nil
        }
    }
}
