import ArgumentParser

/// `kiln lm`: character language models (by default the charlm anchor on the fortunes corpus).
struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Train, sample and evaluate character language models.",
        subcommands: [LMTrainCommand.self, LMSampleCommand.self, LMEvalCommand.self])
}
