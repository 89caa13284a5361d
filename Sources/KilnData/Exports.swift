// Datasets, file readers, transforms and the DataLoader.
@_exported import Kiln
