import Foundation
@testable import KilnNN
import Testing

/// Modules held directly, in a list, in a nested list and in a dictionary, and a two-input layer: the
/// twin of `Backbone` in `scripts/fixtures/make_module_descriptions.py`.
final class Backbone: Module {
    let stem = Linear(4, 8)
    let layers: [Module] = [Linear(8, 8), Linear(8, 8), Linear(8, 8), ReLU(), Linear(8, 8)]
    let stages: [[Module]] = [[Linear(2, 2), Linear(2, 2)], [Tanh()]]
    let blocks: [String: Module] = [
        "norm": BatchNorm1d(8),
        "feed_forward": Sequential { Linear(8, 16); GELU(); Linear(16, 8) },
        "attention": Linear(8, 8),
    ]
    let head = Linear(8, 2, bias: false)
    let pair = Bilinear(8, 3, 4)
}

/// `Fixtures/module_descriptions.json`: PyTorch's `repr` of each case, and Backbone's names one per line.
enum DescriptionFixture {
    static let texts: [String: String] = {
        guard let url = Bundle.module.url(forResource: "module_descriptions", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let texts = try? JSONSerialization.jsonObject(with: data) as? [String: String] else {
            fatalError("fixture module_descriptions.json is missing or malformed")
        }
        return texts
    }()

    static func lines(_ key: String) -> [String] { texts[key]!.components(separatedBy: "\n") }
}

@Suite struct ModuleDescriptionTests {
    /// Each case's Kiln twin, built with the same arguments as in the fixture script.
    static let cases: [String: () -> Module] = [
        "mlp": {
            Sequential { Linear(784, 512); GELU(); Dropout(0.1); Linear(512, 256); GELU(); Linear(256, 10) }
        },
        "cnn": {
            Sequential {
                Conv2d(1, 32, kernelSize: 3, padding: 1); BatchNorm2d(32); ReLU(); MaxPool2d(2)
                Conv2d(32, 64, kernelSize: 3, stride: 2, bias: false); SiLU(); AdaptiveAvgPool2d(1); Flatten()
                Dropout(0.5); Linear(64, 10)
            }
        },
        "nested": {
            Sequential {
                Sequential { Linear(8, 8); Tanh() }
                LayerNorm(8)
                Sequential { Linear(8, 4, bias: false); Sequential { Sigmoid() } }
            }
        },
        "convolutions": {
            Sequential {
                Conv2d(3, 8, kernelSize: (3, 5), stride: (2, 2), padding: [1, 2], dilation: (2, 1), bias: false)
                Conv2d(4, 8, kernelSize: 3, padding: .same, groups: 2)
                Conv1d(2, 4, kernelSize: 5, padding: 2)
                Conv1d(2, 4, kernelSize: 3, dilation: 2)
                ConvTranspose2d(3, 4, kernelSize: 3, stride: 2, outputPadding: 1)
                ConvTranspose2d(4, 2, kernelSize: (2, 3), padding: 1, groups: 2)
            }
        },
        "normalizations": {
            Sequential {
                BatchNorm1d(3, momentum: nil, affine: false); BatchNorm2d(16, eps: 1e-3, momentum: 0.01)
                BatchNorm2d(4, trackRunningStats: false); LayerNorm([4, 5], bias: false); GroupNorm(groups: 4, channels: 8)
                RMSNorm(8); RMSNorm([2, 3], eps: 1e-6)
            }
        },
        "pooling": {
            Sequential {
                MaxPool2d(2); MaxPool2d(kernelSize: (2, 3), stride: (1, 1), padding: (1, 1)); MaxPool2d(3, stride: 2, padding: 1, ceilMode: true)
                AvgPool2d(2); AvgPool2d(3, stride: 1, padding: 1); AdaptiveAvgPool2d(outputSize: (2, 3)); Flatten(startDim: 0, endDim: 2)
            }
        },
        "activations": {
            Sequential {
                ReLU(); GELU(approximate: .tanh); SiLU(); Tanh(); Sigmoid(); LeakyReLU(negativeSlope: 0.2); ELU(alpha: 0.5)
                CELU(); Softplus(beta: 2, threshold: 10); PReLU(parameterCount: 3); Mish(); SELU(); Softsign()
                LogSigmoid(); Tanhshrink(); Softmax(axis: 1); LogSoftmax(axis: -1)
            }
        },
        "sequence": {
            Sequential {
                Embedding(100, 16, paddingIndex: 0); Embedding(10, 3)
                LSTM(inputSize: 16, hiddenSize: 32, layers: 2, batchFirst: true)
                GRU(inputSize: 32, hiddenSize: 8, layers: 2, dropout: 0.25, bidirectional: true)
                RNN(inputSize: 3, hiddenSize: 4, nonlinearity: .relu, bias: false)
                LSTMCell(inputSize: 3, hiddenSize: 4); GRUCell(inputSize: 3, hiddenSize: 4, bias: false)
                RNNCell(inputSize: 3, hiddenSize: 4, nonlinearity: .relu)
            }
        },
        "backbone": { Backbone() },
        "weight_normed": { Sequential { WeightNormalized(Linear(3, 4)); ReLU() } },
    ]

    @Test(arguments: cases.keys.sorted())
    func descriptionMatchesPyTorchRepr(_ name: String) {
        let model = Self.cases[name]!()
        #expect(String(describing: model) == DescriptionFixture.texts[name]!)
        #expect(model.description == DescriptionFixture.texts[name]!)
    }

    @Test func everyCaseOfTheFixtureIsBuilt() {
        let described = Set(DescriptionFixture.texts.keys.filter { !$0.contains(".") })
        #expect(described == Set(Self.cases.keys))
    }

    @Test func layoutFollowsPyTorch() {
        #expect(ReLU().description == "ReLU()")
        #expect(Sequential([]).description == "Sequential()")
        #expect(Linear(2, 3).description == "Linear(in_features=2, out_features=3, bias=True)")
        // A layer with several lines of arguments puts each on its own line, as PyTorch does.
        final class Described: Module {
            override var extraDescription: String { "first\nsecond" }
        }
        #expect(Described().description == "Described(\n  first\n  second\n)")
    }

    @Test func repeatsFoldOnlyWhenAdjacent() {
        final class Stack: Module {
            let layers: [Module] = [ReLU(), Tanh(), ReLU(), ReLU()]
        }
        #expect(Stack().description == "Stack(\n  (layers): ModuleList(\n    (0): ReLU()\n    (1): Tanh()\n    (2-3): 2 x ReLU()\n  )\n)")
    }
}
