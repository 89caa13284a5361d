import ArgumentParser
import Foundation
import KilnTrain
#if canImport(KilnMPI)
import KilnMPI
#endif

/// `--distributed` and its settings: data-parallel training across the processes `mpirun` starts.
struct DistributedOptions: ParsableArguments {
    @Flag(help: "Train data-parallel across the processes mpirun starts (mpirun -np N kiln … --distributed); --batch-size is per process.")
    var distributed = false
    @Option(parsing: .unconditional, help: "MiB of gradients per all-reduce call of a distributed run (default 25).")
    var bucketMib: Double?

    /// Runs `body` with the data parallelism the options ask for (nil without `--distributed`) and
    /// whether this process prints the results (rank 0, or the only process).
    ///
    /// In a distributed run, an error is printed as one line naming this rank, and every process
    /// ends at once with exit status 1 (MPI_Abort); a run built without Open MPI refuses
    /// `--distributed` with one line.
    func run(_ body: (_ dataParallel: DataParallel?, _ prints: Bool) throws -> Void) throws {
        guard distributed else {
            if bucketMib != nil { throw CommandError("--bucket-mib needs --distributed") }
            if let size = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), size > 1 {
                throw CommandError("mpirun started \(size) processes but --distributed is not given: each would train alone into the same run folder")
            }
            return try body(nil, true)
        }
        let bucketBytes = try self.bucketBytes()
        #if canImport(KilnMPI)
        let communicator = try MPICommunicator()
        do {
            try body(DataParallel(communicator: communicator, bucketBytes: bucketBytes), communicator.rank == 0)
        } catch {
            let line = CommandError.line(for: error, message: KilnCommand.message(for: error))
            FileHandle.standardError.write(Data("kiln: rank \(communicator.rank) of \(communicator.size): \(line)\n".utf8))
            communicator.abort(code: 1)
        }
        communicator.finalize()
        #else
        _ = bucketBytes
        throw CommandError("--distributed needs kiln built with Open MPI: install libopenmpi-dev and openmpi-bin (make deps), then rebuild")
        #endif
    }

    /// The bucket size `--bucket-mib` gives, in bytes (25 MiB by default).
    private func bucketBytes() throws -> Int {
        guard let bucketMib else { return GradientBuckets.defaultCapacityBytes }
        guard bucketMib.isFinite, bucketMib * 1_048_576 >= 4, bucketMib <= 65_536 else {
            throw CommandError("--bucket-mib must be at least 4 bytes (0.000004) and at most 65536, got \(bucketMib)")
        }
        return Int(bucketMib * 1_048_576)
    }
}
