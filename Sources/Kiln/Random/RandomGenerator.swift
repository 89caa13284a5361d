import Foundation

/// The complete position of a ``RandomGenerator``: restoring it continues the same stream.
public struct RandomState: Codable, Hashable, Sendable {
    /// The seed that keys the stream.
    public var seed: UInt64
    /// The number of 128-bit blocks already drawn.
    public var counter: UInt64

    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
    }
}

/// A seeded source of random numbers whose values never depend on the number of threads.
///
/// Built on the counter-based Philox4x32-10 generator: element `i` of a fill depends only on the seed
/// and the generator's position plus `i`, so fills split across threads by index range and give the
/// same bits as on one thread. A generator is shared by reference and safe to use from several threads;
/// each fill reserves its own range of the stream.
///
/// ```swift
/// let g = RandomGenerator(seed: 42)
/// let w = Tensor.normal([256, 128], std: 0.02, generator: g)
/// let saved = g.state          // store in a checkpoint
/// g.state = saved              // later: continue exactly from here
/// ```
public final class RandomGenerator: RandomNumberGenerator, @unchecked Sendable {
    private let lock = NSLock()
    private var current: RandomState

    /// A generator at the start of the stream keyed by `seed`.
    public init(seed: UInt64) {
        current = RandomState(seed: seed)
    }

    /// A generator at a saved position.
    public init(state: RandomState) {
        current = state
    }

    /// The seed of the stream.
    public var seed: UInt64 { state.seed }

    /// The current position; assign a saved state to continue from it.
    public var state: RandomState {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// Restarts the stream keyed by `seed`.
    public func reseed(_ seed: UInt64) { state = RandomState(seed: seed) }

    /// The next 64 random bits (one block of the stream), for Swift's `shuffled(using:)` and friends.
    public func next() -> UInt64 {
        let (seed, start) = reserve(blocks: 1)
        let b = Philox.block(start, seed: seed)
        return UInt64(b[0]) << 32 | UInt64(b[1])
    }

    /// Claims the next `blocks` blocks of the stream and returns the seed and the first block number.
    func reserve(blocks: Int) -> (seed: UInt64, start: UInt64) {
        lock.withLock {
            let start = current.counter
            current.counter &+= UInt64(blocks)
            return (current.seed, start)
        }
    }

    /// Fills `count` elements at `out`, `perBlock` elements from each 128-bit block of the stream.
    ///
    /// `body(bits, first, n)` writes the `n` (at most `perBlock`) elements starting at `first` from `bits`.
    /// The blocks are split across threads by range, so the result does not depend on the thread count.
    func fill<T>(_ out: UnsafeMutablePointer<T>, count: Int, perBlock: Int, costPerBlock: Int = 64,
                 _ body: (SIMD4<UInt32>, UnsafeMutablePointer<T>, Int) -> Void) {
        let blocks = (count + perBlock - 1) / perBlock
        let (seed, start) = reserve(blocks: blocks)
        parallelChunks(blocks, costPerItem: costPerBlock) { range in
            for b in range {
                let first = b * perBlock
                body(Philox.block(start &+ UInt64(b), seed: seed), out + first, Swift.min(perBlock, count - first))
            }
        }
    }
}

/// The process-wide default generator used when no generator is passed.
public enum Random {
    /// The default generator; it starts from seed 0 so that unseeded programs are reproducible.
    public static let `default` = RandomGenerator(seed: 0)

    /// Restarts the default generator from `seed` (PyTorch's `torch.manual_seed`).
    public static func seed(_ seed: UInt64) { `default`.reseed(seed) }
}
