import CKilnKernels

/// One recorded operation in the autodiff graph, or a leaf that collects a gradient.
///
/// A node keeps the nodes of its differentiable inputs and a backward rule that maps the
/// gradient of its output to gradients of those inputs. Nodes are numbered in creation order,
/// which is a topological order of the graph.
final class GradNode {
    /// Creation order; an input's node always has a smaller number than its consumer's.
    let sequence: Int64
    /// Nodes of the inputs, `nil` where an input needs no gradient.
    private(set) var inputs: [GradNode?]
    /// The backward rule: output gradient to one gradient (or `nil`) per input.
    private(set) var rule: ((Tensor) -> [Tensor?])?
    /// Shape of the tensor this node belongs to.
    let shape: [Int]
    /// The gradient accumulated so far during a backward pass (kept on leaves afterwards).
    var grad: Tensor?

    /// Whether the node is a leaf (a tensor that requires a gradient), not an operation.
    var isLeaf: Bool { rule == nil && inputs.isEmpty }

    init(shape: [Int], inputs: [GradNode?] = [], rule: ((Tensor) -> [Tensor?])? = nil) {
        self.sequence = kiln_next_sequence()
        self.shape = shape
        self.inputs = inputs
        self.rule = rule
    }

    /// Drops the inputs and the rule (and the tensors it saved) once backward has used them.
    func release() {
        inputs = []
        rule = nil
    }
}
