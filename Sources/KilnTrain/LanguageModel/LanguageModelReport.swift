import Foundation
import Kiln
import KilnNN

/// The HTML report of a language-model run: the anchor's figures and settings, the loss curves
/// (training per step, validation), the learning rate, tokens per second, and a sample of text.
enum LanguageModelReport {
    /// Tokens of the report's sample.
    static let sampleLength = 300

    /// Writes the report of `summary`; `scored` turns the validation loss into bits per character.
    static func write(_ summary: LanguageModelSummary, settings: LanguageModelSettings, languageModel: CharacterLanguageModel,
                      scored: CharacterLanguageModel.ScoredText) throws {
        var report = HTMLReport(title: "Kiln language model \(summary.folder.name)")
        let validation = summary.validationLoss
        report.summary = [
            ("validation loss", validation.map { String(format: "%.4f", $0) } ?? "–"),
            ("bits per character", validation.map { String(format: "%.4f", scored.bitsPerCharacter(loss: $0)) } ?? "–"),
            ("tokens per second", summary.timedSteps == 0 ? "– (no step from step 20 on ran in this process)"
                : String(format: "%.0f (median of %d steps from step 20)", summary.medianTokensPerSecond, summary.timedSteps)),
            ("model", "GPT, \(settings.layers) layers, \(settings.heads) heads, dimension \(settings.dimension), context \(settings.context), "
                + "\(summary.parameters) parameters"),
            ("positions", settings.positions.rawValue), ("norm", settings.norm.rawValue),
            ("feed-forward", (settings.glu?.rawValue ?? "mlp, \(settings.activation.rawValue)")
                + ", hidden \(settings.configuration(vocabularySize: 1).hiddenDimension ?? 4 * settings.dimension)"),
            ("attention", "\(settings.normalizer.rawValue) weights, gate \(settings.gate?.rawValue ?? "none")"),
            ("corpus", "\(settings.corpus), \(settings.tokenizer) tokenizer, vocabulary \(languageModel.tokenizer.vocabularySize) tokens"),
            ("steps", "\(summary.steps) of \(settings.gradientAccumulation > 1 ? "\(settings.gradientAccumulation) × " : "")"
                + "\(settings.batchSize) × \(settings.context) tokens" + (settings.dropout > 0 ? ", dropout \(settings.dropout)" : "")),
            ("optimizer", "AdamW β (0.9, 0.95), lr \(settings.lr), weight decay \(settings.weightDecay) on matrices"),
            ("schedule", settings.schedule?.text ?? "warm-up \(settings.warmup) steps, cosine to \(settings.minLR)"),
            ("seed", "\(settings.seed)"), ("threads", "\(Threads.count)"),
            ("training time", String(format: "%.1f s", summary.seconds)),
        ]
        if let moe = settings.moe { report.summary += MixtureReport.summary(moe, records: summary.records) }
        func series(_ kind: String, _ key: String, _ name: String, markers: Bool = false) -> SVGPlot.Series {
            SVGPlot.Series(name, summary.records.filter { $0.kind == kind }.compactMap { r in r.values[key].map { (Double(r.step), $0) } },
                           markers: markers)
        }
        report.figures = [
            ("Loss", SVGPlot.lineChart([series("step", "loss", "train loss"), series("validation", "val_loss", "validation loss", markers: true)],
                                       title: "Loss", xLabel: "step", yLabel: "loss", logY: true)),
            ("Learning rate", SVGPlot.lineChart([series("step", "lr", "learning rate")], title: "Learning rate", xLabel: "step", yLabel: "lr")),
            ("Tokens per second", SVGPlot.lineChart([series("speed", "tokens_per_s", "tokens/s (median per log interval)")],
                                                    title: "Speed", xLabel: "step", yLabel: "tokens/s")),
        ]
        if let moe = settings.moe {
            for figure in [MixtureReport.routingCurves(records: summary.records), MixtureReport.loadHistogram(moe, records: summary.records)] {
                if let figure { report.figures.append(figure) }
            }
        }
        let sampler = try CharacterLanguageModel.sampler(temperature: 1, seed: settings.seed)
        let text = try languageModel.sample(count: sampleLength, sampler: sampler)
        report.figures.append(("Sample of \(sampleLength) tokens (temperature 1, after a newline)",
                               "<pre style=\"max-width: 560px; white-space: pre-wrap\">\(SVGPlot.escape(text))</pre>"))
        try AtomicFile.write(Data(report.render().utf8), to: summary.folder.report)
    }
}
