import Kiln

/// The error of a dataset file: IDX, gzip, CSV, npz or text.
public typealias DataError = InputError
