/// Conversions of random words to numbers.
enum RandomBits {
    /// A float in [0, 1) with 24 random bits.
    @inline(__always)
    static func unitFloat(_ w: UInt32) -> Float { Float(w >> 8) * 0x1p-24 }

    /// A double in [0, 1) with 53 random bits from two words.
    @inline(__always)
    static func unitDouble(_ hi: UInt32, _ lo: UInt32) -> Double {
        Double((UInt64(hi) << 32 | UInt64(lo)) >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` from two words (bias below bound / 2⁶⁴).
    @inline(__always)
    static func below(_ bound: UInt64, _ hi: UInt32, _ lo: UInt32) -> UInt64 {
        (UInt64(hi) << 32 | UInt64(lo)).multipliedFullWidth(by: bound).high
    }
}
