import ArgumentParser
import KilnTrain

/// The mixture-of-experts options of `kiln lm train`: `--moe` and the settings of ``MixtureSettings``.
struct MixtureOptions: ParsableArguments {
    @Flag(help: "Replace every MLP with a mixture of experts (each expert --hidden wide, by default 4·dimension / top-k).")
    var moe = false
    @Option(parsing: .unconditional, help: "Routed experts per layer (default 8).") var experts: Int?
    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Experts per token for the topk router (default 2).") var topK: Int?
    @Option(help: "Router: \(ExpertGateChoice.names.joined(separator: ", ")) (default topk).", transform: { try ExpertGateChoice(named: $0) })
    var router: ExpertGateChoice?
    @Option(help: "Load balancing: \(ExpertBalancingChoice.names.joined(separator: ", ")) (default loss_free).",
            transform: { try ExpertBalancingChoice(named: $0) })
    var balancing: ExpertBalancingChoice?
    @Option(parsing: .unconditional, help: "Coefficient of the Switch balance loss (aux_loss; default 0.01).") var balanceCoefficient: Double?
    @Option(parsing: .unconditional, help: "Step of the loss-free bias per optimizer step (loss_free; default 0.001).") var biasRate: Double?
    @Option(parsing: .unconditional, help: "Weight of the router z-loss (default 0.001; 0 for none).") var zLoss: Double?
    @Option(parsing: .unconditional, help: "Capacity factor; tokens beyond an expert's capacity are dropped (default: dropless).")
    var capacityFactor: Double?
    @Option(parsing: .unconditional, help: "Shared experts every token goes through (default 0).") var sharedExperts: Int?
    @Option(parsing: .unconditional, help: "Temperature of the dense-to-sparse routers at the first step (default 1).") var routerTemperature: Double?
    @Option(parsing: .unconditional, help: "Temperature the dense-to-sparse routers reach at the last step, linearly.")
    var finalRouterTemperature: Double?
    @Option(parsing: .unconditional, help: "Gate weight below which the dense-to-sparse routers leave an expert out (default 0.05).")
    var routerThreshold: Double?
    @Option(parsing: .unconditional, help: "Consistency weight of stochastic experts (THOR's α; default 1).") var consistency: Double?

    /// Sets `settings.moe` from the options; a mixture option without `--moe` is an error.
    func apply(to settings: inout LanguageModelSettings) throws {
        let given: [Any?] = [experts, topK, router, balancing, balanceCoefficient, biasRate, zLoss, capacityFactor, sharedExperts,
                             routerTemperature, finalRouterTemperature, routerThreshold, consistency]
        guard moe else {
            if given.contains(where: { $0 != nil }) { throw CommandError("mixture-of-experts options need --moe") }
            return
        }
        var m = MixtureSettings()
        if let experts { m.experts = experts }
        if let topK { m.topK = topK }
        if let router { m.router = router }
        if let balancing { m.balancing = balancing }
        if let balanceCoefficient { m.balanceCoefficient = balanceCoefficient }
        if let biasRate { m.biasRate = biasRate }
        if let zLoss { m.zLoss = zLoss }
        if let capacityFactor { m.capacityFactor = capacityFactor }
        if let sharedExperts { m.sharedExperts = sharedExperts }
        if let routerTemperature { m.temperature = routerTemperature }
        if let finalRouterTemperature { m.finalTemperature = finalRouterTemperature }
        if let routerThreshold { m.threshold = routerThreshold }
        if let consistency { m.consistency = consistency }
        settings.moe = m
    }
}
