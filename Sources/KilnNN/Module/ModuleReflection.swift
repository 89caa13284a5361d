import Kiln

/// What reflection finds in one module's stored properties, named by path.
struct ReflectedMembers {
    var children: [(name: String, module: Module)] = []
    var parameters: [(name: String, parameter: Parameter)] = []
    var buffers: [(name: String, buffer: Buffer)] = []

    var isEmpty: Bool { children.isEmpty && parameters.isEmpty && buffers.isEmpty }

    /// "a module", "a parameter" or "a buffer": the first kind found, for messages.
    var kind: String { !children.isEmpty ? "a module" : !parameters.isEmpty ? "a parameter" : "a buffer" }
}

/// The walk over a module's stored properties that finds its sub-modules, parameters and buffers.
///
/// Arrays are PyTorch's `ModuleList`/`ParameterList` (`layers.0`), dictionaries with `String` keys its
/// `ModuleDict`/`ParameterDict` (`blocks.key`, keys sorted so names are deterministic), optionals are
/// looked through, and containers nest. A tuple, a `lazy var` or a dictionary with other keys holding
/// a member is a programmer error: reflection cannot give it a name, so it stops rather than drop it.
enum ModuleReflection {
    /// Where a value was found, for names and messages.
    struct Site {
        let owner: Module
        let property: String

        func fail(_ problem: String, _ advice: String) -> Never {
            preconditionFailure("\(type(of: owner)): property '\(property)' \(problem); \(advice)")
        }
    }

    /// Everything `module`'s stored properties hold, superclasses' properties first, in declaration order.
    static func members(of module: Module) -> ReflectedMembers {
        var found = ReflectedMembers()
        for (label, value) in storedProperties(of: module) {
            if label.hasPrefix(lazyPrefix) {
                let property = String(label.dropFirst(lazyPrefix.count))
                let site = Site(owner: module, property: property)
                if mayHoldMembers(value, at: site) {
                    site.fail(
                        "is a lazy var that may hold a module, parameter or buffer, which reflection sees only once created "
                        + "and under a hidden name", "make it a let (or var) set in init")
                }
                continue
            }
            // Property wrappers (`@Parameter var weight`) store `_weight`.
            let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
            collect(value, path: name, at: Site(owner: module, property: name), into: &found)
        }
        return found
    }

    /// Adds every member inside `value` to `found`, named from `path`.
    static func collect(_ value: Any, path: String, at site: Site, into found: inout ReflectedMembers) {
        switch value {
        case let module as Module: found.children.append((path, module))
        case let parameter as Parameter: found.parameters.append((path, parameter))
        case let buffer as Buffer: found.buffers.append((path, buffer))
        case let container as MemberContainer: container.collectMembers(path: path, at: site, into: &found)
        default:
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .tuple else { return }
            var inside = ReflectedMembers()
            for element in mirror.children { collect(element.value, path: path, at: site, into: &inside) }
            if !inside.isEmpty {
                site.fail("is a tuple holding \(inside.kind), which reflection cannot name",
                          "use an array (named like ModuleList: \(site.property).0) or separate properties")
            }
        }
    }

    /// Whether `value` holds a member now or, by its static type, could.
    static func mayHoldMembers(_ value: Any, at site: Site) -> Bool {
        if let container = value as? MemberContainer, type(of: container).mayHoldMembers { return true }
        return holdsMembers(value, at: site)
    }

    /// Whether `value` holds a member now, however deep.
    static func holdsMembers(_ value: Any, at site: Site) -> Bool {
        var inside = ReflectedMembers()
        collect(value, path: "", at: site, into: &inside)
        return !inside.isEmpty
    }

    /// Whether values of type `type` are or contain members, by the type alone.
    static func typeMayHoldMembers(_ type: Any.Type) -> Bool {
        type is Module.Type || type is Parameter.Type || type is Buffer.Type
            || (type as? MemberContainer.Type)?.mayHoldMembers == true
    }

    /// The label Swift gives the storage of `lazy var name`.
    private static let lazyPrefix = "$__lazy_storage_$_"

    /// Stored properties of `object` with their labels, superclasses' first.
    private static func storedProperties(of object: Any) -> [(String, Any)] {
        var chain: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: object)
        while let m = mirror { chain.append(m); mirror = m.superclassMirror }
        return chain.reversed().flatMap { m in m.children.compactMap { child in child.label.map { ($0, child.value) } } }
    }
}

/// A value that can hold modules, parameters or buffers: arrays, dictionaries and optionals.
protocol MemberContainer {
    /// Whether the element type can be or hold a member.
    static var mayHoldMembers: Bool { get }
    func collectMembers(path: String, at site: ModuleReflection.Site, into found: inout ReflectedMembers)
}

extension Optional: MemberContainer {
    static var mayHoldMembers: Bool { ModuleReflection.typeMayHoldMembers(Wrapped.self) }

    func collectMembers(path: String, at site: ModuleReflection.Site, into found: inout ReflectedMembers) {
        if let wrapped = self { ModuleReflection.collect(wrapped, path: path, at: site, into: &found) }
    }
}

extension Array: MemberContainer {
    static var mayHoldMembers: Bool { ModuleReflection.typeMayHoldMembers(Element.self) }

    /// Elements are named by index. Arrays of types that cannot hold members (`[Float]`) cost one check
    /// of their first element (existential elements such as `[any Layer]` are checked that way too).
    func collectMembers(path: String, at site: ModuleReflection.Site, into found: inout ReflectedMembers) {
        guard let first, Self.mayHoldMembers || ModuleReflection.holdsMembers(first, at: site) else { return }
        for (i, element) in enumerated() { ModuleReflection.collect(element, path: "\(path).\(i)", at: site, into: &found) }
    }
}

extension Dictionary: MemberContainer {
    static var mayHoldMembers: Bool { ModuleReflection.typeMayHoldMembers(Value.self) }

    /// Values are named by key, in sorted key order.
    func collectMembers(path: String, at site: ModuleReflection.Site, into found: inout ReflectedMembers) {
        guard let first = values.first, Self.mayHoldMembers || ModuleReflection.holdsMembers(first, at: site) else { return }
        guard let byName = self as? [String: Value] else {
            site.fail("is a dictionary keyed by \(Key.self) holding modules, parameters or buffers",
                      "key it by String (named like ModuleDict: \(site.property).key)")
        }
        if let dotted = byName.keys.sorted().first(where: { $0.contains(".") }) {
            site.fail("has the key '\(dotted)', whose dot would make parameter names ambiguous", "use keys without dots")
        }
        for key in byName.keys.sorted() { ModuleReflection.collect(byName[key]!, path: "\(path).\(key)", at: site, into: &found) }
    }
}
