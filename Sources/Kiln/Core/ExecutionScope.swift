import Foundation

/// The thread count and the default random generator that code runs with.
///
/// A scope belongs to the code it wraps, not to the process: ``run(_:)`` binds it for the
/// duration of a closure (as a task-local value, which on a thread outside any task holds for
/// that thread), so two runs on different threads or tasks each see their own. ``Threads/count``
/// and ``Random/default`` read the innermost scope; outside any, ``processDefault`` applies.
///
/// ```swift
/// let scope = ExecutionScope(threads: 1, generator: RandomGenerator(seed: 7))
/// let w = scope.run { Tensor.normal([512, 512]).matmul(Tensor.normal([512, 512])) }  // 1 thread, seed 7
/// ```
///
/// Kiln's own worker threads run nested work in a one-thread scope with the caller's generator,
/// so a kernel called from inside a parallel loop never splits again.
public struct ExecutionScope: Sendable {
    /// The number of threads large operations (and BLAS) are split across; at least 1.
    public let threads: Int
    /// The generator random draws use when none is passed.
    public let generator: RandomGenerator

    /// A scope of `threads` threads (at least 1) whose default random generator is `generator`.
    public init(threads: Int, generator: RandomGenerator) {
        precondition(threads >= 1, "ExecutionScope: threads must be at least 1, got \(threads)")
        self.threads = threads
        self.generator = generator
    }

    /// The scope of code outside any ``run(_:)``: all cores and the process-wide generator
    /// (seed 0, so unseeded programs are reproducible).
    public static let processDefault = ExecutionScope(threads: Threads.cores,
                                                      generator: RandomGenerator(seed: 0))

    @TaskLocal private static var bound = processDefault

    /// The innermost scope bound around the calling code, else ``processDefault``.
    public static var current: ExecutionScope { bound }

    /// Runs `body` with this scope current; the previous one is current again afterwards.
    public func run<R>(_ body: () throws -> R) rethrows -> R {
        try Self.$bound.withValue(self, operation: body)
    }

    /// Runs the asynchronous `body` with this scope current, in every task it awaits and every child
    /// task it creates; the previous one is current again afterwards.
    ///
    /// ```swift
    /// let losses = try await scope.run { try await trainInBackground() }
    /// ```
    public func run<R>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R) async rethrows -> R {
        try await Self.$bound.withValue(self, operation: body)
    }

    /// This scope with `threads` threads.
    public func with(threads: Int) -> ExecutionScope { ExecutionScope(threads: threads, generator: generator) }

    /// This scope with `generator` as its default generator.
    public func with(generator: RandomGenerator) -> ExecutionScope { ExecutionScope(threads: threads, generator: generator) }

    /// The scope of a worker thread inside a parallel loop: one thread, the same generator.
    var worker: ExecutionScope { threads == 1 ? self : with(threads: 1) }
}
