// Streaming metrics: classification, calibration, ranking and regression.
@_exported import Kiln
