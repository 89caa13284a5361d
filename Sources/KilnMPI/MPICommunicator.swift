import CKilnMPI
import CMPI
import KilnDistributed

/// The processes `mpirun` started (MPI's world communicator), over Open MPI.
///
/// ```sh
/// mpirun -np 2 kiln train --distributed --batch-size 64
/// ```
///
/// ```swift
/// let communicator = try MPICommunicator()
/// defer { communicator.finalize() }
/// run.dataParallel = DataParallel(communicator: communicator)
/// ```
///
/// Creating one initializes MPI for the process (at the thread level where only the creating
/// thread calls it; Kiln's worker threads never do). A failed call throws a
/// ``CommunicatorError`` naming the call and MPI's reason instead of ending the process. A
/// process that ends without ``finalize()`` (an error, a signal) makes `mpirun` end the others
/// and exit non-zero; ``abort(code:)`` ends them at once.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private let world: MPI_Comm

    /// The world communicator, after initializing MPI unless this process already has.
    public init() throws(CommunicatorError) {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            try Self.check(MPI_Init_thread(nil, nil, kiln_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        }
        world = kiln_mpi_comm_world()
        try Self.check(MPI_Comm_set_errhandler(world, kiln_mpi_errors_return()), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0, size: Int32 = 0
        try Self.check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank")
        try Self.check(MPI_Comm_size(world, &size), "MPI_Comm_size")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    public func allReduce(_ values: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        try allReduce(UnsafeMutableRawBufferPointer(values), elementSize: 4, type: kiln_mpi_float())
        if operation == .mean, size > 1 {
            let scale = 1 / Float(size)
            for i in values.indices { values[i] *= scale }
        }
    }

    public func allReduce(_ values: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {
        try allReduce(UnsafeMutableRawBufferPointer(values), elementSize: 8, type: kiln_mpi_double())
        if operation == .mean, size > 1 {
            let scale = 1 / Double(size)
            for i in values.indices { values[i] *= scale }
        }
    }

    /// Sums `bytes`, elements of `elementSize` bytes and MPI type `type`, in place over the
    /// processes, in calls of at most `Int32.max` elements (MPI's counts are 32-bit).
    private func allReduce(_ bytes: UnsafeMutableRawBufferPointer, elementSize: Int, type: MPI_Datatype) throws(CommunicatorError) {
        for (start, count) in Self.chunks(bytes.count / elementSize) {
            try Self.check(MPI_Allreduce(kiln_mpi_in_place(), bytes.baseAddress! + start * elementSize, Int32(count), type, kiln_mpi_sum(), world),
                           "MPI_Allreduce of \(count) values")
        }
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        precondition((0..<size).contains(root), "MPICommunicator.broadcast: root \(root) is not a rank of a group of \(size)")
        for (start, count) in Self.chunks(bytes.count) {
            try Self.check(MPI_Bcast(bytes.baseAddress! + start, Int32(count), kiln_mpi_byte(), Int32(root), world), "MPI_Bcast of \(count) bytes")
        }
    }

    public func allGather(_ bytes: UnsafeRawBufferPointer, into gathered: UnsafeMutableRawBufferPointer) throws {
        precondition(gathered.count == bytes.count * size,
                     "MPICommunicator.allGather: \(gathered.count) bytes to gather \(bytes.count) bytes of \(size) processes into")
        guard bytes.count > 0 else { return }
        precondition(bytes.count <= Int(Int32.max), "MPICommunicator.allGather: \(bytes.count) bytes per process exceed MPI's 32-bit count")
        try Self.check(MPI_Allgather(bytes.baseAddress!, Int32(bytes.count), kiln_mpi_byte(), gathered.baseAddress!, Int32(bytes.count),
                                     kiln_mpi_byte(), world), "MPI_Allgather of \(bytes.count) bytes")
    }

    public func barrier() throws {
        try Self.check(MPI_Barrier(world), "MPI_Barrier")
    }

    /// Ends MPI for this process once every process is done; call it last, on every process.
    public func finalize() {
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Ends every process of the group with exit status `code` (MPI_Abort; `mpirun` names this rank).
    public func abort(code: Int32) -> Never {
        MPI_Abort(world, code)
        fatalError("MPI_Abort returned")
    }

    /// `count` elements in pieces MPI's 32-bit counts can carry: (first element, count).
    private static func chunks(_ count: Int) -> [(start: Int, count: Int)] {
        stride(from: 0, to: count, by: Int(Int32.max)).map { ($0, min(Int(Int32.max), count - $0)) }
    }

    /// Throws unless `code` is MPI_SUCCESS, with `call` and MPI's words for the code.
    private static func check(_ code: Int32, _ call: String) throws(CommunicatorError) {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw CommunicatorError("\(call) failed: \(String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))")
    }
}
