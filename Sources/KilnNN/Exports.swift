// Modules, layers, activations, the softmax family, losses and initializers.
@_exported import Kiln
