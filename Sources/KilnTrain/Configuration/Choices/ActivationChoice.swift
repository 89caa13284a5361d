import KilnNN

/// The activations the built-in models can use, by name: every elementwise activation of KilnNN.
public enum ActivationChoice: String, NamedChoice {
    case relu, gelu
    case geluTanh = "gelu_tanh"
    case silu, swish, mish, tanh, sigmoid, softplus, softsign, elu, selu, celu
    case leakyReLU = "leaky_relu"
    case prelu, relu6, hardtanh, hardsigmoid, hardswish
    case squaredReLU = "squared_relu"
    case logsigmoid, tanhshrink
    /// ReLU with a learned correction ε·x·e^{−x²/2} (``CRReLU``).
    case crrelu
    /// Third-order polynomial of ReLU with learned coefficients (``PolyReLU``).
    case polyrelu
    /// Swish with a learned β.
    case swishLearned = "swish_learned"

    public static let setting = "activation"

    /// A fresh activation module.
    public func make() -> Module {
        switch self {
        case .relu: ReLU()
        case .gelu: GELU()
        case .geluTanh: GELU(approximate: .tanh)
        case .silu: SiLU()
        case .swish: Swish()
        case .swishLearned: Swish(learnable: true)
        case .mish: Mish()
        case .tanh: Tanh()
        case .sigmoid: Sigmoid()
        case .softplus: Softplus()
        case .softsign: Softsign()
        case .elu: ELU()
        case .selu: SELU()
        case .celu: CELU()
        case .leakyReLU: LeakyReLU()
        case .prelu: PReLU()
        case .relu6: ReLU6()
        case .hardtanh: HardTanh()
        case .hardsigmoid: HardSigmoid()
        case .hardswish: HardSwish()
        case .squaredReLU: SquaredReLU()
        case .logsigmoid: LogSigmoid()
        case .tanhshrink: Tanhshrink()
        case .crrelu: CRReLU()
        case .polyrelu: PolyReLU()
        }
    }
}
