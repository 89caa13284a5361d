import ArgumentParser

@main
struct KilnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Train, evaluate and measure neural networks.",
        subcommands: [BenchCommand.self, ScheduleCommand.self, PredictLossCommand.self]
    )
}
