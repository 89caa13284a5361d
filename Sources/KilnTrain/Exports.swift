// Trainer, callbacks, progress display, logs, reports and checkpoints.
@_exported import KilnData
@_exported import KilnNN
@_exported import KilnOptimizers
@_exported import KilnMetrics
@_exported import KilnDistributed
