// Analysis tools from the papers: model merging, Fisher information, gradient spectra, SNR distance, Fréchet-mean prediction,
// data pruning scores, training-free architecture proxies, activation statistics, sparse inference
// and weight quantization.
@_exported import KilnNN
// The Fisher estimate reads `Batch`es and `DataLoader`s.
@_exported import KilnData
