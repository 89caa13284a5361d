import KilnNN
import KilnOptimizers

/// A group of the model's parameters with its own weight decay or learning-rate scale, chosen in
/// settings (one entry of the `parameter_groups` list) by name pattern, by rank, or both.
///
/// Each parameter joins the first group whose selectors all match it; parameters no group
/// chooses keep the optimizer's own settings. The nanoGPT convention, no weight decay on biases
/// and normalization scales (parameters of rank below 2), and a slower embedding:
///
/// ```yaml
/// optimizer: adamw
/// weight_decay: 0.1
/// parameter_groups:
///   - {max_rank: 1, weight_decay: 0}
///   - {names: ["embedding.*"], lr_scale: 0.1}
/// ```
///
/// A group without its own `weight_decay` follows the run's (and its `weight_decay_schedule`);
/// one with it keeps that value throughout.
public struct ParameterGroupSettings: Codable, Equatable, Sendable {
    /// Patterns of parameter paths (`layers.0.weight`) the group takes: `*` matches any run of
    /// characters (dots too), `?` any one; nil places no condition on the name.
    public var names: [String]?
    /// The largest rank of a parameter the group takes (1: biases and normalization vectors); nil
    /// places no condition on the rank.
    public var maxRank: Int?
    /// The group's weight decay; nil keeps the optimizer's.
    public var weightDecay: Double?
    /// The group's learning rate as a multiple of the run's (and its schedule's); nil is 1.
    public var lrScale: Double?

    /// A group choosing parameters by `names` patterns and/or `maxRank`, with its own `weightDecay` and `lrScale`.
    public init(names: [String]? = nil, maxRank: Int? = nil, weightDecay: Double? = nil, lrScale: Double? = nil) {
        self.names = names
        self.maxRank = maxRank
        self.weightDecay = weightDecay
        self.lrScale = lrScale
    }

    /// The keys of an entry of `parameter_groups`.
    enum CodingKeys: String, CaseIterable, CodingKey {
        case names, maxRank = "max_rank", weightDecay = "weight_decay", lrScale = "lr_scale"
    }

    /// The most groups, and name patterns per group, settings may list.
    public static let maximumGroups = 64, maximumPatterns = 256

    /// One line for the first value out of range, or nil; `place` names the entry (`parameter_groups[0]`).
    public func problem(place: String) -> String? {
        if names == nil && maxRank == nil { return "\(place) needs names or max_rank to choose its parameters" }
        if let names {
            if names.isEmpty || names.count > Self.maximumPatterns {
                return "\(place).names must list 1 to \(Self.maximumPatterns) patterns, got \(names.count)"
            }
            if names.contains(where: \.isEmpty) { return "\(place).names holds an empty pattern" }
        }
        if let maxRank, maxRank < 0 { return "\(place).max_rank must be non-negative, got \(maxRank)" }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) {
            return "\(place).weight_decay must be non-negative and finite, got \(weightDecay)"
        }
        if let lrScale, !(lrScale >= 0 && lrScale.isFinite) { return "\(place).lr_scale must be non-negative and finite, got \(lrScale)" }
        return nil
    }

    /// Whether the group takes the parameter at `name`, of rank `rank`.
    public func selects(name: String, rank: Int) -> Bool {
        (maxRank.map { rank <= $0 } ?? true) && (names.map { $0.contains { Self.pattern($0, matches: name) } } ?? true)
    }

    /// The optimizer's groups over `model`'s parameters: one per entry of `settings`, in order,
    /// then one of the parameters none chose, with the optimizer's own settings. An entry that
    /// chooses no parameter (none matches, or every match went to an earlier entry) is an error.
    public static func groups(_ settings: [ParameterGroupSettings], of model: Module) throws(RunError) -> [ParameterGroup] {
        var remaining = model.namedParameters()
        var groups: [ParameterGroup] = []
        for (i, group) in settings.enumerated() {
            let chosen = remaining.filter { group.selects(name: $0.name, rank: $0.parameter.value.rank) }
            guard !chosen.isEmpty else {
                let names = remaining.prefix(6).map(\.name).joined(separator: ", ") + (remaining.count > 6 ? ", …" : "")
                throw RunError("parameter_groups[\(i)] (\(group.selectors)) matches no parameter "
                               + (i == 0 ? "of the model; its parameters: \(names)"
                                         : "left by the groups before it" + (remaining.isEmpty ? "" : "; left: \(names)")))
            }
            remaining.removeAll { group.selects(name: $0.name, rank: $0.parameter.value.rank) }
            groups.append(ParameterGroup(chosen, learningRateScale: group.lrScale ?? 1, weightDecay: group.weightDecay))
        }
        if !remaining.isEmpty { groups.append(ParameterGroup(remaining)) }
        return groups
    }

    /// The selectors as an error names them: `names '*.bias', max_rank 1`.
    private var selectors: String {
        [names.map { "names " + $0.map { "'\($0)'" }.joined(separator: " ") }, maxRank.map { "max_rank \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }

    /// Whether `name` matches the glob `pattern` as a whole (`*` any run of characters, `?` any one).
    static func pattern(_ pattern: String, matches name: String) -> Bool {
        let p = Array(pattern), s = Array(name)
        var i = 0, j = 0
        // The position after the last `*` seen, and where in `name` its run would end next.
        var star: (pattern: Int, name: Int)?
        while j < s.count {
            if i < p.count && (p[i] == "?" || p[i] == s[j]) {
                i += 1
                j += 1
            } else if i < p.count && p[i] == "*" {
                star = (i + 1, j)
                i += 1
            } else if let last = star {
                // Let the last `*` take one more character and try again after it.
                i = last.pattern
                j = last.name + 1
                star = (last.pattern, last.name + 1)
            } else {
                return false
            }
        }
        while i < p.count && p[i] == "*" { i += 1 }
        return i == p.count
    }
}
