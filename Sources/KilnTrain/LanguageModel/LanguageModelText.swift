import KilnData

/// The corpus of a language-model run, split as the run reads it: the first
/// `Int(trainFraction · characters)` characters train, the rest validate, whatever the tokenizer, so
/// that every tokenizer learns from and is scored on the same text. Each part is tokenized by itself;
/// with characters this is the split of the anchor, which cuts the character ids.
struct LanguageModelText {
    /// The whole corpus.
    let whole: String
    /// The training part.
    let training: String
    /// The validation part.
    let validation: String

    /// The corpus the settings name, split by their ``LanguageModelSettings/trainFraction``.
    init(_ settings: LanguageModelSettings) throws {
        whole = try TextCorpus(directory: settings.corpus).text
        let scalars = whole.unicodeScalars
        let split = scalars.index(scalars.startIndex, offsetBy: Int(settings.trainFraction * Double(scalars.count)))
        training = String(scalars[..<split])
        validation = String(scalars[split...])
    }

    /// The windows of `context` tokens over the parts as `tokenizer` reads them; `source` names the corpus in errors.
    func windows(_ tokenizer: TextTokenizer, context: Int, source: String) throws(DataError) -> NextTokenWindows {
        try NextTokenWindows(train: tokenizer.encode(training, source: source), validation: tokenizer.encode(validation, source: source),
                             context: context, source: source)
    }
}
