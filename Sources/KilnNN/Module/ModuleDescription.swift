import Kiln

/// The text of `print(model)`: the module tree in the layout of PyTorch's `repr(module)`.
///
/// A module prints as its type name, then ``Module/extraDescription`` and its children in parentheses,
/// one child per line, indented by two spaces per level:
///
/// ```
/// Sequential(
///   (0): Linear(in_features=784, out_features=512, bias=True)
///   (1): GELU(approximate='none')
/// )
/// ```
///
/// Children held in an array property print inside `(name): ModuleList(…)`, with runs of identical
/// children folded as PyTorch folds them (`(0-2): 3 x Linear(…)`); children held in a dictionary print
/// inside `(name): ModuleDict(…)`, keys in sorted order.
enum ModuleDescription {
    /// One entry of a module's child list: a module, or an array or dictionary property's children.
    indirect enum Node {
        case module(Module)
        case container([(key: String, node: Node)])
    }

    static func describe(_ module: Module) -> String {
        let extraLines = module.extraDescription.isEmpty ? [] : module.extraDescription.components(separatedBy: "\n")
        let childLines = tree(of: module.namedChildren).map { "(\($0.key)): " + indented(text(of: $0.node)) }
        return body(String(describing: type(of: module)), extraLines: extraLines, childLines: childLines)
    }

    /// PyTorch's layout: a lone extra line stays on the name's line; anything more goes one item per line.
    private static func body(_ name: String, extraLines: [String], childLines: [String]) -> String {
        let lines = extraLines + childLines
        if lines.isEmpty { return name + "()" }
        if childLines.isEmpty && extraLines.count == 1 { return "\(name)(\(extraLines[0]))" }
        return "\(name)(\n  " + lines.joined(separator: "\n  ") + "\n)"
    }

    private static func text(of node: Node) -> String {
        switch node {
        case .module(let module): return module.description
        case .container(let entries):
            let isList = entries.enumerated().allSatisfy { $0.element.key == String($0.offset) }
            guard isList else {
                return body("ModuleDict", extraLines: [], childLines: entries.map { "(\($0.key)): " + indented(text(of: $0.node)) })
            }
            return body("ModuleList", extraLines: [], childLines: foldedRuns(entries.map { text(of: $0.node) }))
        }
    }

    /// `(i): text` per element, with a run of equal texts as `(i-j): n x text`, as PyTorch's `ModuleList`.
    private static func foldedRuns(_ texts: [String]) -> [String] {
        var lines: [String] = []
        var start = 0
        while start < texts.count {
            var end = start
            while end + 1 < texts.count && texts[end + 1] == texts[start] { end += 1 }
            let label = start == end ? "(\(start)): " : "(\(start)-\(end)): \(end - start + 1) x "
            lines.append(indented(label + texts[start]))
            start = end + 1
        }
        return lines
    }

    /// Child names split at their dots into a tree, in order: `layers.0` and `layers.1` become one
    /// container `layers` with entries `0` and `1`.
    static func tree(of children: [(name: String, module: Module)]) -> [(key: String, node: Node)] {
        var entries: [(key: String, node: Node)] = []
        var groups: [String: [(name: String, module: Module)]] = [:]
        for (name, module) in children {
            guard let dot = name.firstIndex(of: ".") else {
                entries.append((name, .module(module)))
                continue
            }
            let head = String(name[..<dot])
            if groups[head] == nil { entries.append((head, .container([]))) }
            groups[head, default: []].append((String(name[name.index(after: dot)...]), module))
        }
        return entries.map { entry in
            guard let members = groups[entry.key] else { return entry }
            return (entry.key, .container(tree(of: members)))
        }
    }

    /// Every line after the first indented by two spaces, as PyTorch's `_addindent`.
    private static func indented(_ text: String) -> String {
        text.components(separatedBy: "\n").enumerated().map { $0.offset == 0 ? $0.element : "  " + $0.element }
            .joined(separator: "\n")
    }
}

/// Values written as Python writes them, for ``Module/extraDescription``.
enum PythonText {
    static func bool(_ value: Bool) -> String { value ? "True" : "False" }

    /// The shortest text that reads back as `value`, as Python's `repr(float)` (`1e-05`, `0.1`, `1.0`).
    static func float(_ value: Float) -> String { "\(value)" }

    /// `(3, 3)`, or `(5,)` for one element.
    static func tuple(_ values: [Int]) -> String {
        values.count == 1 ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
    }

    /// One number when all are equal (`2`), else a tuple (`(2, 3)`): how PyTorch prints a size given as an int.
    static func size(_ values: [Int]) -> String {
        Set(values).count == 1 ? "\(values[0])" : tuple(values)
    }
}
