import ArgumentParser

/// `kiln lm`: language models (by default the charlm anchor, a character model on the fortunes corpus).
struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Train, sample and evaluate language models (character-level by default).",
        subcommands: [LMTrainCommand.self, LMSampleCommand.self, LMEvalCommand.self])
}
