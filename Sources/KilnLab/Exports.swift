// Analysis tools from the papers: model merging and Fisher information.
@_exported import KilnNN
// The Fisher estimate reads `Batch`es and `DataLoader`s.
@_exported import KilnData
