/// How ``Communicator/allReduce(_:_:)`` combines the values of every process.
public enum ReduceOperation: Sendable {
    /// The element-wise sum over the processes.
    case sum
    /// The element-wise mean over the processes: the sum divided by ``Communicator/size``.
    case mean
}

/// A failed collective call: what was called and why it failed, in one line.
public struct CommunicatorError: Error, CustomStringConvertible, Sendable {
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

/// A group of processes that train one model together (data parallelism): each knows its
/// ``rank`` among ``size`` processes and takes part in collective calls.
///
/// Every process must make the same collective calls, in the same order, with buffers of the same
/// length; a process that skips one leaves the others waiting. ``SingleProcessCommunicator`` is the
/// group of one process, where every call returns its input; `MPICommunicator` (the `KilnMPI`
/// product, built where Open MPI is installed) spans the processes `mpirun` starts.
///
/// ```swift
/// var gradient: [Float] = localGradient
/// try communicator.allReduce(&gradient, .mean)   // the same mean on every process
/// ```
///
/// The buffer calls are the primitives a transport implements; the array and ``Tensor`` forms
/// (`CommunicatorValues.swift`) are built on them.
public protocol Communicator: AnyObject {
    /// This process's place in the group, in `0..<size`; rank 0 leads (writes files, prints).
    var rank: Int { get }
    /// The number of processes in the group, at least 1.
    var size: Int { get }
    /// Replaces `values` on every process by their sum or mean over the processes.
    func allReduce(_ values: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws
    /// Replaces `values` on every process by their sum or mean over the processes.
    func allReduce(_ values: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws
    /// Overwrites `bytes` on every process with those of process `root`.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws
    /// Writes every process's `bytes`, in rank order, into `gathered` (`size` times as long) on every process.
    func allGather(_ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer) throws
    /// Returns once every process has called it.
    func barrier() throws
}

extension Communicator {
    /// Whether this process leads the group (rank 0): the one that writes files and prints.
    public var isLead: Bool { rank == 0 }
}
