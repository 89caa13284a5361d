/// Recording of operations and the reverse-mode backward pass.
enum Autograd {
    /// Whether an op with these inputs must be recorded.
    @inline(__always)
    static func needsRecording(_ a: Tensor) -> Bool {
        a.gradNode != nil && GradMode.isEnabled
    }

    @inline(__always)
    static func needsRecording(_ a: Tensor, _ b: Tensor) -> Bool {
        (a.gradNode != nil || b.gradNode != nil) && GradMode.isEnabled
    }

    static func needsRecording(_ inputs: [Tensor]) -> Bool {
        GradMode.isEnabled && inputs.contains { $0.gradNode != nil }
    }

    /// Attaches a node for a one-input op to `result` when `input` needs a gradient.
    @inline(__always)
    static func record(_ result: Tensor, _ input: Tensor, backward: @escaping (Tensor) -> Tensor) -> Tensor {
        guard needsRecording(input) else { return result }
        var out = result
        out.gradNode = GradNode(shape: result.shape, inputs: [input.gradNode]) { [backward($0)] }
        return out
    }

    /// Attaches a node for a two-input op; the rule returns gradients for both inputs.
    @inline(__always)
    static func record(_ result: Tensor, _ a: Tensor, _ b: Tensor,
                       backward: @escaping (Tensor) -> (Tensor?, Tensor?)) -> Tensor {
        guard needsRecording(a, b) else { return result }
        var out = result
        out.gradNode = GradNode(shape: result.shape, inputs: [a.gradNode, b.gradNode]) {
            let (ga, gb) = backward($0)
            return [ga, gb]
        }
        return out
    }

    /// Attaches a node for an op with any number of inputs.
    static func record(_ result: Tensor, _ inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard needsRecording(inputs) else { return result }
        var out = result
        out.gradNode = GradNode(shape: result.shape, inputs: inputs.map(\.gradNode), rule: backward)
        return out
    }

    /// Propagates `seed` (the gradient of `root`) to every node reachable from `root`.
    ///
    /// Gradients accumulate into leaves' `grad`; interior nodes are released as soon as
    /// they have passed their gradient on, so the graph's memory is freed during the pass.
    static func backward(from root: GradNode, seed: Tensor) {
        // Collect reachable nodes; creation order is a topological order.
        var seen = Set<ObjectIdentifier>()
        var nodes: [GradNode] = []
        var stack = [root]
        while let node = stack.popLast() {
            guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
            nodes.append(node)
            for case let input? in node.inputs { stack.append(input) }
        }
        nodes.sort { $0.sequence > $1.sequence }
        accumulate(seed, into: root)
        withoutGradient {
            for node in nodes where !node.isLeaf {
                guard let grad = node.grad, let rule = node.rule else { node.release(); continue }
                let inputGrads = rule(grad)
                for (input, g) in zip(node.inputs, inputGrads) {
                    if let input, let g { accumulate(g, into: input) }
                }
                node.grad = nil
                node.release()
            }
        }
    }

    private static func accumulate(_ g: Tensor, into node: GradNode) {
        precondition(g.shape == node.shape,
                     "backward: gradient of shape \(g.shape) for a tensor of shape \(node.shape)")
        if let existing = node.grad {
            node.grad = withoutGradient { existing + g }
        } else {
            node.grad = g.detached()
        }
    }
}
