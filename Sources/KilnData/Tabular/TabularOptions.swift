/// What a tabular encoding does with a feature column holding text.
public enum CategoricalColumns: String, CaseIterable, Codable, Sendable {
    /// One 0/1 input per category seen in the training rows; a category unseen in training
    /// encodes as all zeros.
    case onehot
    /// A column holding text is an error naming it.
    case error
}

/// What a tabular encoding does with a missing feature value (an empty field, `NA`, `N/A`, `NaN`, `null`).
public enum MissingValues: String, CaseIterable, Codable, Sendable {
    /// A numeric column's missing value becomes the training rows' median; a text column's
    /// becomes all zeros.
    case median
    /// A missing value is an error naming its column and line.
    case error
}
