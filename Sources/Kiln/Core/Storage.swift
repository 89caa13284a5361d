import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 64-byte-aligned block of memory shared by a tensor and its views.
///
/// Tensors own storage by reference and copy it before writing when it is shared
/// (copy-on-write), so `Tensor` keeps value semantics.
final class TensorStorage {
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    /// Bytes actually reserved (the block's size class).
    private let capacity: Int

    /// Uninitialized storage of `byteCount` bytes.
    init(byteCount: Int) {
        let (pointer, capacity) = BlockCache.shared.allocate(byteCount)
        self.base = pointer
        self.byteCount = byteCount
        self.capacity = capacity
    }

    /// Zero-filled storage of `byteCount` bytes.
    convenience init(zeroedByteCount byteCount: Int) {
        self.init(byteCount: byteCount)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { BlockCache.shared.release(base, capacity: capacity) }
}

/// Keeps freed large blocks for reuse, so big tensors do not pay page faults on every allocation.
///
/// Fresh memory from the system arrives unmapped: touching a new 64 MiB buffer costs thousands
/// of page faults, more than the arithmetic that fills it. Blocks from `minimumCached` to
/// `maximumCached` bytes are rounded up to a size class and kept after release, up to `limit`
/// bytes in all; larger ones go back to the system at once.
final class BlockCache: @unchecked Sendable {
    static let shared = BlockCache()

    /// Smaller blocks go straight to `malloc`, which already recycles them well.
    let minimumCached = 1 << 16
    /// Larger blocks are never kept.
    let maximumCached = 1 << 30
    /// Most bytes kept in the cache.
    let limit = 1 << 30

    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var cachedBytes = 0
    private let lock = NSLock()

    /// A block of at least `byteCount` bytes and its capacity.
    func allocate(_ byteCount: Int) -> (UnsafeMutableRawPointer, Int) {
        let capacity = sizeClass(byteCount)
        if capacity >= minimumCached {
            lock.lock()
            let reused = free[capacity]?.popLast()
            if reused != nil { cachedBytes -= capacity }
            lock.unlock()
            if let reused { return (reused, capacity) }
        }
        var pointer: UnsafeMutableRawPointer?
        guard posix_memalign(&pointer, 64, max(capacity, 64)) == 0, let pointer else {
            fatalError("Kiln: out of memory allocating \(byteCount) bytes")
        }
        return (pointer, capacity)
    }

    /// Returns a block to the cache, or to the system when it is small or the cache is full.
    func release(_ pointer: UnsafeMutableRawPointer, capacity: Int) {
        if capacity >= minimumCached && capacity <= maximumCached {
            lock.lock()
            if cachedBytes + capacity <= limit {
                free[capacity, default: []].append(pointer)
                cachedBytes += capacity
                lock.unlock()
                return
            }
            lock.unlock()
        }
        Foundation.free(pointer)
    }

    /// Bytes held by freed blocks kept for reuse.
    var bytesCached: Int {
        lock.lock()
        defer { lock.unlock() }
        return cachedBytes
    }

    /// Returns every cached block to the system.
    func trim() {
        lock.lock()
        let blocks = free.values.joined()
        free = [:]
        cachedBytes = 0
        lock.unlock()
        for block in blocks { Foundation.free(block) }
    }

    /// Size classes: exact below the cache threshold, else the next of 8 steps per power of two.
    private func sizeClass(_ n: Int) -> Int {
        guard n >= minimumCached else { return n }
        let power = Int.bitWidth - (n - 1).leadingZeroBitCount   // 2^power >= n
        let step = (1 << power) / 8
        return (n + step - 1) / step * step
    }
}

/// The memory Kiln keeps after tensors are freed.
///
/// Freed blocks of 64 KiB to 1 GiB are kept, up to 1 GiB in all, so the next tensor of the same
/// size class reuses them without page faults (the way PyTorch's CUDA allocator caches device
/// memory). ``releaseCache()`` hands them back to the system, say before a phase that needs the
/// memory elsewhere.
public enum TensorMemory {
    /// Bytes held by freed blocks kept for reuse.
    public static var cachedBytes: Int { BlockCache.shared.bytesCached }

    /// Returns every cached block to the system.
    public static func releaseCache() { BlockCache.shared.trim() }
}
