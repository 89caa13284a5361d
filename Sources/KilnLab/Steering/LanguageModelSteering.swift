import Kiln
import KilnTrain

extension SteeringVector {
    /// The steering vector of a language model at `layer` from two texts: the mean output over every
    /// position of `toward` minus the mean over every position of `awayFrom`, each text read through
    /// the model's tokenizer in consecutive windows of the model's context (a shorter text is one
    /// window). `towardSource` and `awaySource` name the texts in errors.
    ///
    /// A text with no token, a character outside a character vocabulary, and the errors of
    /// ``init(model:layer:toward:awayFrom:featureAxes:)`` are errors.
    public init(languageModel lm: CharacterLanguageModel, layer: String, toward: String, towardSource: String,
                awayFrom: String, awaySource: String) throws(InputError) {
        func windows(_ text: String, _ source: String) throws(InputError) -> [Tensor] {
            let ids = try lm.tokenizer.encode(text, source: source)
            guard !ids.isEmpty else { throw InputError(path: source, reason: "holds no token to steer by") }
            let length = min(lm.settings.context, ids.count)
            let full = ids.count / length
            var batches = stride(from: 0, to: full, by: 64).map { first -> Tensor in
                let rows = min(64, full - first)
                return Tensor(Array(ids[(first * length)..<((first + rows) * length)]), shape: [rows, length])
            }
            if full * length < ids.count { batches.append(Tensor(Array(ids[(full * length)...]), shape: [1, ids.count - full * length])) }
            return batches
        }
        try self.init(model: lm.model, layer: layer, toward: windows(toward, towardSource), awayFrom: windows(awayFrom, awaySource),
                      featureAxes: 1)
    }
}
