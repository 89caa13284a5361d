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

    /// Uninitialized storage of `byteCount` bytes.
    init(byteCount: Int) {
        var pointer: UnsafeMutableRawPointer?
        let size = max(byteCount, 64)
        guard posix_memalign(&pointer, 64, size) == 0, let pointer else {
            fatalError("Kiln: out of memory allocating \(byteCount) bytes")
        }
        self.base = pointer
        self.byteCount = byteCount
    }

    /// Zero-filled storage of `byteCount` bytes.
    convenience init(zeroedByteCount byteCount: Int) {
        self.init(byteCount: byteCount)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit { free(base) }
}
