import Foundation
import Kiln

/// What a ``MixtureOfExperts`` routed over some calls: each expert's load, the router's entropy and
/// the assignments capacity dropped.
public struct RoutingStatistics: Sendable, Equatable {
    /// The tokens routed.
    public private(set) var tokens = 0
    /// How many tokens chose each expert, before capacity.
    public private(set) var chosen: [Int]
    /// How many tokens each expert computed.
    public private(set) var dispatched: [Int]
    /// Summed over tokens, the entropy of the gate's probabilities in nats (0 for a gate without a router).
    public private(set) var entropySum = 0.0

    /// Empty statistics over `experts` experts.
    public init(experts: Int) {
        chosen = Array(repeating: 0, count: experts)
        dispatched = chosen
    }

    /// Adds one call's routing.
    public mutating func add(_ routing: ExpertRouting) {
        tokens += routing.tokens
        for e in chosen.indices {
            chosen[e] += routing.chosenCounts[e]
            dispatched[e] += routing.groupSizes[e]
        }
        if let p = routing.probabilities {
            entropySum += p.withUnsafeFloats { p in p.reduce(0.0) { $1 > 0 ? $0 - Double($1) * Foundation.log(Double($1)) : $0 } }
        }
    }

    /// Each expert's share of the chosen assignments (sums to 1; zeros when nothing was routed).
    public var loadFractions: [Double] {
        let total = Double(chosen.reduce(0, +))
        return chosen.map { total > 0 ? Double($0) / total : 0 }
    }

    /// The largest expert load over the mean load (1 when perfectly balanced); NaN when nothing was routed.
    public var maxOverMeanLoad: Double {
        let total = chosen.reduce(0, +)
        return total > 0 ? Double(chosen.max()!) * Double(chosen.count) / Double(total) : .nan
    }

    /// The mean entropy of the gate's probabilities per token, in nats.
    public var meanEntropy: Double { tokens > 0 ? entropySum / Double(tokens) : .nan }

    /// The fraction of chosen assignments that capacity dropped.
    public var droppedFraction: Double {
        let total = chosen.reduce(0, +)
        return total > 0 ? Double(total - dispatched.reduce(0, +)) / Double(total) : .nan
    }
}
