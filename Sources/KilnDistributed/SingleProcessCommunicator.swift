/// The group of one process, used when training is not distributed: rank 0 of 1, where a
/// reduction, broadcast or gather returns its input and a barrier returns at once.
public final class SingleProcessCommunicator: Communicator {
    public var rank: Int { 0 }
    public var size: Int { 1 }

    /// The communicator of this process alone.
    public init() {}

    public func allReduce(_ values: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {}

    public func allReduce(_ values: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {}

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        precondition(root == 0, "SingleProcessCommunicator.broadcast: root \(root) is not a rank of a group of 1")
    }

    public func allGather(_ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer) throws {
        precondition(gathered.count == bytes.count,
                     "SingleProcessCommunicator.allGather: \(gathered.count) bytes to gather \(bytes.count) bytes of 1 process into")
        if let source = bytes.baseAddress, let destination = gathered.baseAddress { destination.copyMemory(from: source, byteCount: bytes.count) }
    }

    public func barrier() throws {}
}
