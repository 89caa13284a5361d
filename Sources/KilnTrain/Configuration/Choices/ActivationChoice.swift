import KilnNN

/// The activations the built-in models can use, by name.
public enum ActivationChoice: String, NamedChoice {
    case relu, gelu, silu, tanh
    case leakyReLU = "leaky_relu"
    case mish

    public static let setting = "activation"

    /// A fresh activation module.
    public func make() -> Module {
        switch self {
        case .relu: ReLU()
        case .gelu: GELU()
        case .silu: SiLU()
        case .tanh: Tanh()
        case .leakyReLU: LeakyReLU()
        case .mish: Mish()
        }
    }
}
