import Foundation
import KilnTestSupport
import KilnTrain
import Testing

/// `kiln train` and `kiln lm train` across two processes of `mpirun`, against one process with
/// the same global batch. Skipped, saying why, where `mpirun` is not installed.
@Suite(.serialized) struct MPIRunTests {
    /// `mpirun`, or nil after printing why the test is skipped.
    func mpirun() -> String? {
        guard let mpirun = Launcher.mpirun else {
            print("MPIRunTests: skipped, mpirun is not on the PATH (install openmpi-bin and libopenmpi-dev, as make deps does)")
            return nil
        }
        return mpirun
    }

    /// Runs `arguments` of kiln in one process, then across two processes with `--distributed`
    /// and `perProcess` options; returns the two run folders.
    func runSingleAndPair(_ mpirun: String, folder: String, _ arguments: [String], single: [String], perProcess: [String]) throws -> (String, String) {
        let out = folder + "/runs"
        let one = try Job(Launcher.kiln, arguments + single + ["--out", out, "--name", "single"], folder: folder, name: "single")
        #expect(one.wait(seconds: 600) == 0, "\(one.errors)")
        let pair = try Job(mpirun, Launcher.mpirunArguments(processes: 2) + [Launcher.kiln] + arguments + perProcess
                           + ["--distributed", "--out", out, "--name", "pair"], folder: folder, name: "pair")
        #expect(pair.wait(seconds: 600) == 0, "\(pair.errors)")
        // Rank 1 prints nothing: the summary comes once.
        #expect(pair.printed.components(separatedBy: "run folder").count == 2, "\(pair.printed)")
        return (out + "/single", out + "/pair")
    }

    /// Expects the checkpoints of the two run folders to hold the same weights, to 1e-5 relative,
    /// after `steps` steps; `left(name)` gives the elements of a tensor not compared.
    func expectSameWeights(_ single: String, _ pair: String, steps: Int, leaving left: (String) -> Range<Int> = { _ in 0..<0 }) throws {
        let a = try Checkpoint.read(single + "/checkpoint.safetensors"), b = try Checkpoint.read(pair + "/checkpoint.safetensors")
        #expect(a.progress.step == steps && b.progress.step == steps)
        #expect(a.model.keys.sorted() == b.model.keys.sorted())
        for (name, expected) in a.model.sorted(by: { $0.key < $1.key }) {
            let kept = (0..<expected.count).filter { !left(name).contains($0) }
            let actual = try #require(b.model[name]).scalars
            expectClose(kept.map { actual[$0] }, kept.map { expected.scalars[$0] }, relative: 1e-5, absolute: 1e-6)
        }
    }

    /// The `loss` of every step record of the log in `run`.
    func loggedLosses(_ run: String) throws -> [Double] {
        let path = run + "/metrics.jsonl"
        return try RunLog.lines(of: RunLog.contents(of: path), file: path).map(\.record).filter { $0.kind == "step" }.compactMap { $0.values["loss"] }
    }

    @Test func twoProcessesOfBatch16TrainTheWeightsOfOneProcessOfBatch32() throws {
        guard let mpirun = mpirun() else { return }
        let folder = try scratchFolder("train")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments = ["train", "--config", try tabularSettings(in: folder), "--threads", "1", "--log-every", "5"]
        let (single, pair) = try runSingleAndPair(mpirun, folder: folder, arguments, single: ["--batch-size", "32"], perProcess: ["--batch-size", "16"])
        try expectSameWeights(single, pair, steps: 50)
        // The logged losses are those of the whole global batch, reduced over the processes.
        let (expected, logged) = (try loggedLosses(single), try loggedLosses(pair))
        #expect(expected.count == 10 && logged.count == 10)
        for (l, e) in zip(logged, expected) { expectClose(l, e, relative: 1e-5, absolute: 1e-7, "logged loss") }
    }

    @Test func twoLanguageModelProcessesOfFourWindowsTrainTheWeightsOfOneProcessOfEight() throws {
        guard let mpirun = mpirun() else { return }
        let folder = try scratchFolder("lm")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/corpus", withIntermediateDirectories: true)
        let sentences = ["the quick brown fox jumps over the lazy dog.\n", "a lazy dog sleeps in the sun.\n", "quick foxes run far.\n"]
        try (0..<36).map { sentences[$0 % 3] }.joined().write(toFile: folder + "/corpus/sentences", atomically: true, encoding: .utf8)
        let arguments = ["lm", "train", "--corpus", folder + "/corpus", "--layers", "1", "--heads", "2", "--dimension", "16", "--context", "16",
                         "--steps", "20", "--warmup", "2", "--lr", "0.01", "--eval-every", "10", "--log-every", "5", "--threads", "1"]
        let (single, pair) = try runSingleAndPair(mpirun, folder: folder, arguments, single: ["--batch-size", "8"], perProcess: ["--batch-size", "4"])
        // The key bias (elements 16..<32 of the attention's qkv bias) has no gradient: adding the
        // same score to every key leaves the softmax as it is. Its computed gradient is rounding
        // noise, which AdamW's normalized step makes as large as any other, in each summation order its own.
        try expectSameWeights(single, pair, steps: 20) { $0.hasSuffix("attn.qkv.bias") ? 16..<32 : 0..<0 }
    }

    @Test func aRankThatDiesEndsTheJobWithAMessageNamingItAndTheCheckpointStaysReadable() throws {
        guard let mpirun = mpirun() else { return }
        let folder = try scratchFolder("dies")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = folder + "/runs", checkpoint = out + "/dies/checkpoint.safetensors"
        let job = try Job(mpirun, Launcher.mpirunArguments(processes: 2)
                          + [Launcher.kiln, "train", "--distributed", "--config", try tabularSettings(in: folder), "--epochs", "100000",
                             "--batch-size", "16", "--checkpoint-every", "1", "--threads", "1", "--out", out, "--name", "dies"],
                          folder: folder, name: "dies")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint) && job.process.isRunning && Date() < deadline { usleep(20_000) }
        let rank1 = processOfRank(1, marker: out)
        #expect(rank1 != nil, "no rank 1 found; \(job.errors)")
        if let rank1 { kill(rank1, SIGKILL) }
        let status = job.wait(seconds: 120)
        #expect(status != nil && status != 0)
        #expect(job.errors.contains("rank 1"), "\(job.errors)")
        // Rank 0 writes checkpoints to a temporary file renamed into place: the last one is whole.
        let kept = try Checkpoint.read(checkpoint)
        #expect(kept.progress.step >= 1 && kept.firstNonFiniteTensor == nil)
    }

    @Test func anErrorIsOneLineNamingEachRankAndEndsTheJob() throws {
        guard let mpirun = mpirun() else { return }
        let folder = try scratchFolder("error")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let job = try Job(mpirun, Launcher.mpirunArguments(processes: 2)
                          + [Launcher.kiln, "train", "--distributed", "--config", try tabularSettings(in: folder), "--batch-size", "0",
                             "--out", folder + "/runs"], folder: folder, name: "error")
        let status = job.wait(seconds: 120)
        #expect(status != nil && status != 0)
        #expect(job.errors.contains("kiln: rank 0 of 2: ") || job.errors.contains("kiln: rank 1 of 2: "), "\(job.errors)")
    }

    @Test func processesOfMpirunWithoutDistributedAreRefused() throws {
        guard let mpirun = mpirun() else { return }
        let folder = try scratchFolder("alone")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let job = try Job(mpirun, Launcher.mpirunArguments(processes: 2) + [Launcher.kiln, "lm", "train", "--out", folder + "/runs"],
                          folder: folder, name: "alone")
        let status = job.wait(seconds: 120)
        #expect(status != nil && status != 0)
        #expect(job.errors.contains("kiln: mpirun started 2 processes but --distributed is not given: each would train alone into the same run folder\n"),
                "\(job.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/runs"))
    }

    @Test func bucketSizeWithoutDistributedIsRefusedInOneLine() throws {
        let folder = try scratchFolder("bucket")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let job = try Job(Launcher.kiln, ["train", "--bucket-mib", "1"], folder: folder, name: "bucket")
        #expect(job.wait(seconds: 60) == 1)
        #expect(job.errors == "kiln: --bucket-mib needs --distributed\n")
    }
}
