/// Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011):
/// a counter-based generator that turns a 128-bit counter and a 64-bit key into 128 random bits.
///
/// Block `c` depends only on `(key, c)`, so any range of blocks can be made on any thread in any order.
enum Philox {
    /// The ten-round bijection of `counter` under `key`.
    @inline(__always)
    static func block(_ counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var (c0, c1, c2, c3) = (counter[0], counter[1], counter[2], counter[3])
        var (k0, k1) = (key[0], key[1])
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0), p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            (c0, c1, c2, c3) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0, UInt32(truncatingIfNeeded: p1),
                                UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        return SIMD4(c0, c1, c2, c3)
    }

    /// Block number `index` of the stream keyed by `seed`.
    @inline(__always)
    static func block(_ index: UInt64, seed: UInt64) -> SIMD4<UInt32> {
        block(SIMD4(UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: index >> 32), 0, 0),
              key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)))
    }
}

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
