import ArgumentParser
import Kiln

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure Kiln's kernels.")

    func run() throws {}
}
