import CKilnKernels
import Foundation

/// The complete position of a ``RandomGenerator``: restoring it continues the same stream.
public struct RandomState: Codable, Hashable, Sendable {
    /// The seed that keys the stream.
    public var seed: UInt64
    /// The number of 128-bit blocks already drawn.
    public var counter: UInt64

    /// The position `counter` blocks into the stream of `seed`; 0 is its start.
    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
    }
}

/// A seeded source of random numbers whose values never depend on the number of threads.
///
/// Built on the counter-based Philox4x32-10 generator (Salmon et al., "Parallel random numbers: as easy
/// as 1, 2, 3", SC 2011): 128-bit block `c` of the stream is a bijection of the counter `c` keyed by the
/// seed. Element `i` of a fill therefore depends only on the seed and the generator's position plus `i`,
/// and fills split across threads by index range give the same bits as on one thread. A generator is
/// shared by reference and safe to use from several threads; each fill claims its own range of the stream.
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
        var words = SIMD4<UInt32>()
        withUnsafeMutablePointer(to: &words) { p in
            p.withMemoryRebound(to: UInt32.self, capacity: 4) { fillWords($0, count: 4) }
        }
        return UInt64(words[0]) << 32 | UInt64(words[1])
    }

    /// Claims the next `blocks` blocks of the stream and returns the seed and the first block number.
    func reserve(blocks: Int) -> (seed: UInt64, start: UInt64) {
        lock.withLock {
            let start = current.counter
            current.counter &+= UInt64(blocks)
            return (current.seed, start)
        }
    }

    /// Writes the next `count` words of the stream to `out` on the calling thread (whole blocks are claimed).
    func fillWords(_ out: UnsafeMutablePointer<UInt32>, count: Int) {
        let blocks = (count + 3) / 4
        let (seed, start) = reserve(blocks: blocks)
        let whole = count / 4
        kiln_philox_blocks(seed, start, out, whole)
        if whole < blocks {
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4) { last in
                kiln_philox_blocks(seed, start &+ UInt64(whole), last.baseAddress!, 1)
                for i in 0..<(count - 4 * whole) { out[4 * whole + i] = last[i] }
            }
        }
    }

    /// Makes `count` elements, element `i` from words `i·w ..< (i+1)·w` of the stream (`w` = `wordsPerElement`,
    /// 1, 2 or 4), and advances the stream past them.
    ///
    /// `body(words, elements)` writes the elements in `elements`; element `elements.lowerBound + j` reads
    /// `words[j·w ..< (j+1)·w]`.
    /// Pieces of the stream go to threads by range, so the result does not depend on the thread count.
    func fill(count: Int, wordsPerElement w: Int, costPerElement: Int = 8,
              _ body: (UnsafePointer<UInt32>, Range<Int>) -> Void) {
        precondition(w == 1 || w == 2 || w == 4, "fill: \(w) words per element")
        let blocks = (count * w + 3) / 4
        let (seed, start) = reserve(blocks: blocks)
        let pieceBlocks = 256, perPiece = pieceBlocks * 4 / w
        let pieces = (blocks + pieceBlocks - 1) / pieceBlocks
        parallelChunks(pieces, costPerItem: perPiece * costPerElement) { range in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: pieceBlocks * 4) { words in
                for piece in range {
                    let b0 = piece * pieceBlocks, nb = Swift.min(pieceBlocks, blocks - b0)
                    kiln_philox_blocks(seed, start &+ UInt64(b0), words.baseAddress!, nb)
                    let first = piece * perPiece
                    body(words.baseAddress!, first..<Swift.min(count, first + perPiece))
                }
            }
        }
    }
}

/// The generator random draws use when none is passed: the current ``ExecutionScope``'s.
///
/// ```swift
/// Random.withGenerator(RandomGenerator(seed: 7)) {
///     let w = Tensor.normal([3, 3])   // drawn from seed 7; other threads and tasks are unaffected
/// }
/// ```
public enum Random {
    /// The current scope's generator: the one bound by ``withGenerator(_:_:)`` (or an
    /// ``ExecutionScope``) around the calling code, else the process-wide generator, which
    /// starts from seed 0 so that unseeded programs are reproducible.
    public static var `default`: RandomGenerator { ExecutionScope.current.generator }

    /// Restarts the current scope's generator from `seed` (PyTorch's `torch.manual_seed`).
    public static func seed(_ seed: UInt64) { `default`.reseed(seed) }

    /// Runs `body` with `generator` as the default generator; the previous one applies again afterwards.
    public static func withGenerator<R>(_ generator: RandomGenerator, _ body: () throws -> R) rethrows -> R {
        try ExecutionScope.current.with(generator: generator).run(body)
    }

    /// Runs the asynchronous `body` with `generator` as the default generator, as
    /// ``withGenerator(_:_:)`` does for synchronous code; tasks it awaits or creates inherit it.
    public static func withGenerator<R>(_ generator: RandomGenerator, isolation: isolated (any Actor)? = #isolation,
                                        _ body: () async throws -> R) async rethrows -> R {
        try await ExecutionScope.current.with(generator: generator).run(body)
    }
}
