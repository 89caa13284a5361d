// Optimizers, learning-rate schedules and loss-curve prediction.
@_exported import Kiln
