import ArgumentParser

/// `kiln lab`: analysis tools from the papers, each a subcommand in its own file.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Analyse trained models with tools from recent research.",
        subcommands: [LabActivationsCommand.self, LabSparsifyCommand.self, LabQuantizeCommand.self])
}
