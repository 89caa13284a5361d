import Foundation
import Kiln
import KilnTrain

/// A part of `kiln bench`: its name on the command line, and the figures it measures.
enum BenchPart: String, NamedChoice {
    case sgemm, add, exp, sum, softmax, crossentropy, activations, overhead, copy, memory, conv, adamw, attention, generation
    case cnnStep = "cnn-step"
    case gptStep = "gpt-step"
    case step, latency

    static let setting = "part"

    /// Measures this part and adds its figures to `report`.
    func run(into report: BenchReport, generation: GenerationBenchSettings) {
        switch self {
        case .overhead: BenchSuite.overhead(report)
        case .add: BenchSuite.add(report)
        case .copy: BenchSuite.copy(report)
        case .memory: MemoryBench.run(report)
        case .sgemm: KernelBench.sgemm(report)
        case .exp: KernelBench.exp(report)
        case .sum: KernelBench.sum(report)
        case .conv: ConvBench.run(report)
        case .cnnStep: CNNStepBench.run(report)
        case .adamw: OptimizerBench.adamw(report)
        case .attention: AttentionBench.run(report)
        case .gptStep: GPTBench.run(report)
        case .step: StepBench.run(report)
        case .latency: LatencyBench.run(report)
        case .softmax: BenchSuite.softmax(report)
        case .crossentropy: BenchSuite.crossEntropy(report)
        case .activations: ActivationBench.run(report)
        case .generation: GenerationBench.run(report, settings: generation)
        }
    }
}

/// The smaller benchmark parts of `kiln bench`, measured here rather than in a file of their own.
enum BenchSuite {
    /// Microseconds per `a + b` on 8-element tensors, with and without gradient recording.
    static func overhead(_ report: BenchReport) {
        for recording in [false, true] {
            var a = Tensor((0..<8).map { Float($0) }), b = Tensor((0..<8).map { Float($0) * 0.5 })
            if recording { a = a.requiringGradient(); b = b.requiringGradient() }
            let calls = 10_000
            var sink = 0
            let t = Timing.secondsPerCall(samples: 7, minimumSeconds: 0, warmup: 1) {
                for _ in 0..<calls { sink &+= (a + b).count }
            }
            precondition(sink > 0)
            report.add(recording ? "add_8_requires_grad" : "add_8_no_grad", ["us_per_op": t / Double(calls) * 1e6])
        }
    }

    /// Elementwise add on 16M floats: GB/s counting 2 reads and 1 write.
    static func add(_ report: BenchReport) {
        let n = 1 << 24
        let a = Tensor(repeating: 1, shape: [n]), b = Tensor(repeating: 2, shape: [n])
        let t = Timing.secondsPerCall(minimumSeconds: 0) { _ = a + b }
        report.add("add_16M", ["ms": t * 1e3, "gb_per_s": Double(3 * 4 * n) / t / 1e9, "gelem_per_s": Double(n) / t / 1e9])
    }

    /// Copy of 256 MiB (one thread, memcpy): the bandwidth ceiling, GB/s counting read + write.
    static func copy(_ report: BenchReport) {
        let (seconds, gbPerSecond) = copyBandwidth()
        report.add("copy_256MiB_1_thread", ["ms": seconds * 1e3, "gb_per_s": gbPerSecond])
    }

    /// Seconds per single-threaded memcpy of 256 MiB and the GB/s it moves (read + write).
    static func copyBandwidth() -> (seconds: Double, gbPerSecond: Double) {
        let buffers = CopyBuffers()
        let t = Timing.secondsPerCall(samples: 7, minimumSeconds: 0) { buffers.copy() }
        return (t, buffers.gbPerSecond(seconds: t))
    }
}

/// Two touched buffers of 256 MiB for timing a single-threaded memcpy, the copy NumPy's
/// `copyto` makes in the anchors' ops.py.
final class CopyBuffers {
    let bytes = 1 << 28
    private let source: UnsafeMutableRawPointer, destination: UnsafeMutableRawPointer

    init() {
        source = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        destination = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        memset(source, 1, bytes)
        memset(destination, 0, bytes)
    }

    deinit {
        source.deallocate()
        destination.deallocate()
    }

    func copy() { destination.copyMemory(from: source, byteCount: bytes) }

    /// The GB/s (read + write) of one copy taking `seconds`.
    func gbPerSecond(seconds: Double) -> Double { Double(2 * bytes) / seconds / 1e9 }
}
