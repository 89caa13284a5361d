import Kiln

/// Collective calls on arrays, single values and tensors, built on the buffer primitives of
/// ``Communicator``. Every process passes values of the same count, shape and type.
extension Communicator {
    /// Replaces `values` on every process by their sum or mean over the processes.
    public func allReduce(_ values: inout [Float], _ operation: ReduceOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// Replaces `values` on every process by their sum or mean over the processes.
    public func allReduce(_ values: inout [Double], _ operation: ReduceOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// The float `tensor`'s sum or mean over the processes, in its shape, without a gradient.
    public func allReduce(_ tensor: Tensor, _ operation: ReduceOperation) throws -> Tensor {
        precondition(tensor.dtype == .float32, "Communicator.allReduce: reduces float32 tensors, not \(tensor.dtype)")
        var values = tensor.scalars
        try allReduce(&values, operation)
        return Tensor(values, shape: tensor.shape)
    }

    /// Overwrites `values` on every process with those of process `root`.
    public func broadcast<T: BitwiseCopyable>(_ values: inout [T], from root: Int = 0) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, from: root) }
    }

    /// Process `root`'s `tensor`, of the shape and type every process passes, without a gradient.
    public func broadcast(_ tensor: Tensor, from root: Int = 0) throws -> Tensor {
        switch tensor.dtype {
        case .float32: return try broadcastElements(tensor, as: Float.self, from: root)
        case .int64: return try broadcastElements(tensor, as: Int.self, from: root)
        case .bool: return try broadcastElements(tensor, as: Bool.self, from: root)
        }
    }

    private func broadcastElements<T: TensorElement & BitwiseCopyable>(_ tensor: Tensor, as _: T.Type, from root: Int) throws -> Tensor {
        var values = tensor.elements(as: T.self)
        try broadcast(&values, from: root)
        return Tensor(values, shape: tensor.shape)
    }

    /// Every process's `value`, in rank order.
    public func allGather<T: BitwiseCopyable>(_ value: T) throws -> [T] {
        var gathered = [T](repeating: value, count: size)
        try withUnsafeBytes(of: value) { mine in
            try gathered.withUnsafeMutableBytes { try allGather(mine, into: $0) }
        }
        return gathered
    }

    /// Every process's float `tensor` stacked in rank order: `[size, …shape]`.
    public func allGather(_ tensor: Tensor) throws -> Tensor {
        precondition(tensor.dtype == .float32, "Communicator.allGather: gathers float32 tensors, not \(tensor.dtype)")
        let values = tensor.scalars
        var gathered = [Float](repeating: 0, count: values.count * size)
        try values.withUnsafeBytes { mine in
            try gathered.withUnsafeMutableBytes { try allGather(mine, into: $0) }
        }
        return Tensor(gathered, shape: [size] + tensor.shape)
    }
}
