import ArgumentParser
import Foundation

@main
struct KilnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Train, evaluate and measure neural networks.",
        subcommands: [TrainCommand.self, EvalCommand.self, PredictCommand.self, InspectCommand.self, BenchCommand.self, ScheduleCommand.self, PredictLossCommand.self, LMCommand.self, LabCommand.self]
    )

    /// Runs the command; a failure prints one line on standard error and exits non-zero.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }   // --help and --version print in full
            let line = CommandError.line(for: error, message: message(for: error))
            FileHandle.standardError.write(Data("kiln: \(line)\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
