import CKilnKernels

/// An n-dimensional array of `Float`, `Int` or `Bool` values with reverse-mode autodiff.
///
/// `Tensor` has value semantics: copies share storage until one of them is written,
/// and views (reshape, permute, slice, expand) share storage without copying.
///
/// ```swift
/// let x = Tensor([1, 2, 3, 4], shape: [2, 2])   // int64, as the literals are integers
/// let y = (x * x).sum()                          // int64 30, as in PyTorch
/// let z = x / 2 + 0.5                            // float32 [1, 1.5, 2, 2.5]: true division
/// ```
public struct Tensor {
    var storage: TensorStorage
    /// The size of each dimension.
    public let shape: [Int]
    /// The distance in elements between neighbours along each dimension.
    public let strides: [Int]
    /// The position of the first element in `storage`, in elements.
    let offset: Int
    /// The element type.
    public let dtype: DType
    /// The autodiff node that produced this tensor, or the leaf node of a tensor that requires a gradient.
    var gradNode: GradNode?

    init(storage: TensorStorage, shape: [Int], strides: [Int], offset: Int, dtype: DType, gradNode: GradNode? = nil) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.gradNode = gradNode
    }

    /// A new contiguous tensor of `shape` whose memory is not initialized.
    init(uninitializedShape shape: [Int], dtype: DType = .float32) {
        let count = Self.elementCount(shape)
        self.init(storage: TensorStorage(byteCount: count * dtype.byteSize), shape: shape,
                  strides: Self.contiguousStrides(shape), offset: 0, dtype: dtype)
    }

    /// A tensor of `shape` filled with zeros.
    public init(zeros shape: [Int], dtype: DType = .float32) {
        let count = Self.elementCount(shape)
        self.init(storage: TensorStorage(zeroedByteCount: count * dtype.byteSize), shape: shape,
                  strides: Self.contiguousStrides(shape), offset: 0, dtype: dtype)
    }

    /// A float tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        let count = self.count
        storage.base.assumingMemoryBound(to: Float.self).initialize(repeating: value, count: count)
    }

    /// A float tensor of `shape` filled with ones.
    public init(ones shape: [Int]) { self.init(repeating: 1, shape: shape) }

    /// A rank-0 float tensor holding `value`.
    public init(_ value: Float) { self.init(repeating: value, shape: []) }

    /// A tensor holding `values` in row-major order; `shape` defaults to `[values.count]`.
    public init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        precondition(Self.elementCount(shape) == values.count,
                     "Tensor(_:shape:): \(values.count) values do not fill shape \(shape)")
        self.init(uninitializedShape: shape, dtype: T.dtype)
        values.withUnsafeBytes { storage.base.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// A tensor of `shape` whose elements `body` writes, in row-major order, straight into new storage
    /// (no intermediate array: for readers of large files).
    public init<T: TensorElement>(shape: [Int], of type: T.Type, initializingWith body: (UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape, dtype: T.dtype)
        try body(UnsafeMutableBufferPointer(start: storage.base.assumingMemoryBound(to: T.self), count: count))
    }

    /// Float32 values from `start` up to, not including, `end`, by `step`; called with `Int` bounds, `arange` gives int64 as `torch.arange` does.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step })
    }

    // MARK: Shape facts

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { Self.elementCount(shape) }
    /// Whether the elements lie in row-major order without gaps.
    public var isContiguous: Bool { strides == Self.contiguousStrides(shape) }

    static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            precondition(d >= 0, "negative dimension in shape \(shape)")
            n *= d
        }
        return n
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= Swift.max(shape[i], 1)
        }
        return strides
    }

    /// Normalizes a possibly negative axis into `0..<rank`.
    
    func axis(_ a: Int, op: String, rank r: Int? = nil) -> Int {
        let r = r ?? rank
        let axis = a < 0 ? a + r : a
        precondition(axis >= 0 && axis < Swift.max(r, 1), "\(op): axis \(a) out of range for shape \(shape)")
        return axis
    }

    // MARK: Element access

    /// A contiguous tensor with the same values (this tensor itself when already contiguous).
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        var out = Tensor(uninitializedShape: shape, dtype: dtype)
        out.gradNode = nil
        copyElements(into: out.storage.base)
        return Autograd.record(out, self) { $0 }
    }

    /// Copies the elements in row-major order into `destination`.
    func copyElements(into destination: UnsafeMutableRawPointer) {
        let size = dtype.byteSize
        let src = storage.base + offset * size
        if isContiguous {
            destination.copyMemory(from: src, byteCount: count * size)
            return
        }
        let rows = RowLayout(shape: shape, strides: [Self.contiguousStrides(shape), strides])
        rows.forEachRow(in: 0..<rows.rowCount) { offsets, n in
            kiln_copy_strided(src + offsets[1] * size, rows.innerStrides[1],
                              destination + offsets[0] * size, rows.innerStrides[0], n, Int32(size))
        }
    }

    /// The float values in row-major order.
    public var scalars: [Float] { elements(as: Float.self) }

    /// The integer values in row-major order.
    public var integers: [Int] { elements(as: Int.self) }

    /// The boolean values in row-major order.
    public var booleans: [Bool] { elements(as: Bool.self) }

    /// The elements in row-major order, as `T` (which must match `dtype`).
    public func elements<T: TensorElement>(as: T.Type) -> [T] {
        precondition(T.dtype == dtype, "elements(as:): tensor holds \(dtype), not \(T.dtype)")
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            copyElements(into: UnsafeMutableRawPointer(buffer.baseAddress!))
            initialized = count
        }
    }

    /// The single value of a one-element float tensor.
    public var item: Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, not 1")
        precondition(dtype == .float32, "item: tensor holds \(dtype); use integers or booleans")
        return storage.base.assumingMemoryBound(to: Float.self)[offset]
    }

    /// Calls `body` with the float elements in row-major order, copying only if this is a strided view.
    public func withUnsafeFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .float32, "withUnsafeFloats: tensor holds \(dtype)")
        let c = contiguousData()
        return try body(UnsafeBufferPointer(start: c.storage.base.assumingMemoryBound(to: Float.self) + c.offset, count: c.count))
    }

    /// Calls `body` with writable float elements, first copying the storage if it is shared or strided.
    public mutating func withUnsafeMutableFloats<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(dtype == .float32, "withUnsafeMutableFloats: tensor holds \(dtype)")
        makeUniqueContiguous()
        return try body(UnsafeMutableBufferPointer(start: storage.base.assumingMemoryBound(to: Float.self), count: count))
    }

    /// The same values in a contiguous layout, without recording a gradient.
    func contiguousData() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        copyElements(into: out.storage.base)
        return out
    }

    /// Ensures this tensor solely owns contiguous storage that starts at offset 0 and holds exactly its elements.
    mutating func makeUniqueContiguous() {
        if isKnownUniquelyReferenced(&storage), isContiguous, offset == 0,
           storage.byteCount == count * dtype.byteSize { return }
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        copyElements(into: out.storage.base)
        self = Tensor(storage: out.storage, shape: shape, strides: out.strides, offset: 0, dtype: dtype, gradNode: gradNode)
    }

    /// Pointer to the first float element (for kernels; the tensor must be kept alive).
    var floatPointer: UnsafeMutablePointer<Float> {
        storage.base.assumingMemoryBound(to: Float.self) + offset
    }

    /// A tensor with the same values and a different element type; floats convert to integers by
    /// truncation toward zero, as in PyTorch. NaN, ±∞ and values beyond int64 (whose result PyTorch
    /// leaves undefined) stop with a message.
    public func cast(to type: DType) -> Tensor {
        if type == dtype { return self }
        let src = contiguousData()
        var out = Tensor(uninitializedShape: shape, dtype: type)
        let n = count
        func convert<S, D>(_ s: S.Type, _ d: D.Type, _ f: (S) -> D) {
            let sp = src.storage.base.assumingMemoryBound(to: S.self) + src.offset
            let dp = out.storage.base.assumingMemoryBound(to: D.self)
            for i in 0..<n { dp[i] = f(sp[i]) }
        }
        switch (dtype, type) {
        case (.float32, .int64):
            convert(Float.self, Int.self) { v in
                guard let i = Int(exactly: v.rounded(.towardZero)) else { preconditionFailure("cast: \(v) has no int64 value") }
                return i
            }
        case (.float32, .bool): convert(Float.self, Bool.self) { $0 != 0 }
        case (.int64, .float32): convert(Int.self, Float.self) { Float($0) }
        case (.int64, .bool): convert(Int.self, Bool.self) { $0 != 0 }
        case (.bool, .float32): convert(Bool.self, Float.self) { $0 ? 1 : 0 }
        case (.bool, .int64): convert(Bool.self, Int.self) { $0 ? 1 : 0 }
        default: break
        }
        out.gradNode = nil
        return out
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values: [String]
        switch dtype {
        case .float32: values = scalars.prefix(64).map { "\($0)" }
        case .int64: values = integers.prefix(64).map { "\($0)" }
        case .bool: values = booleans.prefix(64).map { "\($0)" }
        }
        return "Tensor<\(dtype)>\(shape)[\(values.joined(separator: ", "))\(count > 64 ? ", …" : "")]"
    }
}
