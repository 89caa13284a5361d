@testable import KilnNN
import Testing

// Modules that hold members where reflection cannot name them; each stops with the property's name.
private final class TupleHolder: Module {
    let pair = (Linear(1, 1), 3)
}

private final class LazyHolder: Module {
    lazy var head = Linear(1, 1)
}

private final class IntegerKeys: Module {
    let blocks: [Int: Linear] = [0: Linear(1, 1)]
}

private final class DottedKeys: Module {
    let blocks = ["a.b": Linear(1, 1)]
}

private final class NoForward: Module {}

private final class Child: Module {
    var parent: Module?
}

private final class Parent: Module {
    let child = Child()
}

private func stderrText(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite struct ModuleMisuseTests {
    @Test func membersReflectionCannotNameStopWithThePropertyName() async {
        let tuple = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TupleHolder().namedParameters()
        }
        #expect(stderrText(tuple).contains("TupleHolder: property 'pair' is a tuple holding a module"))
        let lazy = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LazyHolder().parameters()
        }
        #expect(stderrText(lazy).contains("LazyHolder: property 'head' is a lazy var"))
        let keys = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = IntegerKeys().stateDict()
        }
        #expect(stderrText(keys).contains("IntegerKeys: property 'blocks' is a dictionary keyed by Int"))
        let dots = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = DottedKeys().namedChildren
        }
        #expect(stderrText(dots).contains("DottedKeys: property 'blocks' has the key 'a.b'"))
        let cycle = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let parent = Parent()
            parent.child.parent = parent
            _ = parent.parameters()
        }
        #expect(stderrText(cycle).contains("Child: sub-module 'parent' is itself or one of its ancestors"))
    }

    @Test func inputCountsAreCheckedWithAClearMessage() async {
        let sequential = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Sequential { Linear(2, 2); Bilinear(2, 2, 1) }
        }
        #expect(stderrText(sequential).contains("Sequential: layer 1 (Bilinear) takes 2 inputs"))
        let arity = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Bilinear(2, 2, 1)(Tensor(zeros: [1, 2]))
        }
        #expect(stderrText(arity).contains("Bilinear: called with 1 input, but it takes 2"))
        let missing = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = NoForward()(Tensor(zeros: [1]))
        }
        #expect(stderrText(missing).contains("NoForward must override forward(_:)"))
    }
}
