import Foundation

/// Builds schedules from one-line specs, as given on the command line:
/// `family:key=value,key=value,...`, or `family:value` for the peak alone.
///
/// ```
/// constant:1e-3
/// cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200
/// wsd:peak=1e-3,steps=10000,decay=0.2,warmup=500,shape=1-sqrt
/// cyclic:peak=1e-2,floor=1e-4,up=2000,mode=triangular2
/// onecycle:peak=1e-2,steps=10000,pct=0.25,phases=3,anneal=linear
/// ```
///
/// | family | fields (default) |
/// |---|---|
/// | `constant` | `peak` |
/// | `step` | `peak`, `size`, `gamma` (0.1) |
/// | `multistep` | `peak`, `milestones` (as `30/60/90`), `gamma` (0.1) |
/// | `exponential` | `peak`, `gamma` |
/// | `polynomial` | `peak`, `steps`, `power` (1), `floor` (0) |
/// | `linear` | `peak`, `steps` |
/// | `cosine` | `peak`, `steps`, `floor` (0) |
/// | `sgdr` | `peak`, `period`, `mult` (1), `floor` (0) |
/// | `cospow` | `peak`, `steps`, `power` (10, the base of ``CosinePowerAnnealing``), `floor` (0) |
/// | `onecycle` | `peak`, `steps`, `pct` (0.3), `div` (25), `finaldiv` (1e4), `anneal` (`cos`, `linear`), `phases` (2 or 3) |
/// | `cyclic` | `peak`, `floor` (0), `up`, `down` (`up`), `mode` (`triangular`, `triangular2`, `exp_range`), `gamma` (`exp_range` only) |
/// | `wsd` | `peak`, `steps`, `decay` (0.2), `floor` (0), `shape` (`linear`, `cosine`, `1-sqrt`) |
/// | `infinite` | `peak`, `constant`, `floor`, `cooldown` (0), `annealsteps`, `anneal` (none) |
/// | `refined` | `peak`, `file` (JSON Lines run log), `key` (`grad_norm`), `window` (1), `power` (2) |
///
/// Every family takes `warmup` (steps, 0) and all but `infinite` take `start`, the fraction of the
/// first value the warm-up ramp starts from (0); see ``Warmup``. `steps` counts the whole run,
/// warm-up included: `cosine:steps=4690,warmup=200` warms up for 200 steps and anneals over 4490.
/// `wsd` and `infinite` warm up inside their own phases.
///
/// Every field is checked: values are finite, peaks and floors non-negative with the floor at most
/// the peak, decay factors (`gamma`) in (0, 1] so that no value grows without bound, step counts
/// whole numbers up to 10¹⁵ that leave room for each phase, and unknown or repeated fields are
/// errors. A spec names one family (specs do not nest) and is at most ``maxLength`` bytes long.
/// ``ReduceOnPlateau`` follows a metric, not the step, and has no spec.
public enum ScheduleSpec {
    /// The longest spec accepted, in UTF-8 bytes.
    public static let maxLength = 4096

    /// The family names a spec may start with.
    public static var families: [String] { ScheduleFamily.allCases.map(\.rawValue) }

    /// The schedule described by `spec`, or an error naming the field at fault.
    public static func parse(_ spec: String) throws(ScheduleSpecError) -> AnySchedule {
        guard spec.utf8.count <= maxLength else {
            throw ScheduleSpecError(spec: String(spec.prefix(40)) + "…", problem: .tooLong(bytes: spec.utf8.count, limit: maxLength))
        }
        let trimmed = Substring(spec).trimmingSpaces
        let name = trimmed.prefix { $0 != ":" }.lowercased()
        guard !name.isEmpty else { throw ScheduleSpecError(spec: spec, problem: .empty) }
        guard let family = ScheduleFamily(rawValue: name) else { throw ScheduleSpecError(spec: spec, problem: .unknownFamily(name)) }
        var fields = try ScheduleSpecFields(spec: spec, family: name, body: trimmed.drop { $0 != ":" }.dropFirst())
        let warmup = try fields.integer("warmup", default: 0, requirement: "non-negative") { $0 >= 0 }
        let start = family == .infinite ? 0 : try fields.number("start", default: 0, requirement: "in [0, 1]") { 0...1 ~= $0 }
        let schedule = try family.schedule(&fields, warmup: warmup, start: start)
        try fields.rejectUnused()
        if warmup > 0 && !family.warmsUpItself {
            return AnySchedule(AnySchedule(schedule).withWarmup(steps: warmup, startFactor: start))
        }
        return AnySchedule(schedule)
    }
}

/// The schedule families of ``ScheduleSpec``; the raw value is the name a spec starts with.
public enum ScheduleFamily: String, CaseIterable, Sendable {
    case constant, step, multistep, exponential, polynomial, linear, cosine, sgdr, cospow, onecycle, cyclic, wsd, infinite, refined

    /// Whether the family ramps up inside its own phases instead of behind a ``Warmup``.
    var warmsUpItself: Bool { self == .wsd || self == .infinite }

    /// The family's schedule from `f`, after a warm-up of `warmup` steps starting at `start`.
    fileprivate func schedule(_ f: inout ScheduleSpecFields, warmup: Int, start: Double) throws(ScheduleSpecError) -> any Schedule {
        let peak = try f.number("peak", requirement: "non-negative") { $0 >= 0 }
        switch self {
        case .constant:
            return ConstantSchedule(peak)
        case .step:
            return StepDecay(initial: peak, stepSize: try f.integer("size", requirement: "positive") { $0 > 0 },
                             gamma: try f.decayFactor())
        case .multistep:
            return MultiStepDecay(initial: peak, milestones: try f.integerList("milestones"),
                                  gamma: try f.decayFactor())
        case .exponential:
            return ExponentialDecay(initial: peak, gamma: try f.decayFactor(default: nil))
        case .polynomial:
            return PolynomialDecay(peak: peak, floor: try f.floor(below: peak), steps: try f.steps(after: warmup),
                                   power: try f.number("power", default: 1, requirement: "positive") { $0 > 0 })
        case .linear:
            return LinearDecay(peak: peak, steps: try f.steps(after: warmup))
        case .cosine:
            return CosineAnnealing(peak: peak, floor: try f.floor(below: peak), steps: try f.steps(after: warmup))
        case .sgdr:
            return CosineWarmRestarts(peak: peak, floor: try f.floor(below: peak),
                                      period: try f.integer("period", requirement: "positive") { $0 > 0 },
                                      periodMultiplier: try f.integer("mult", default: 1, requirement: "at least 1") { $0 >= 1 })
        case .cospow:
            return CosinePowerAnnealing(peak: peak, floor: try f.floor(below: peak), steps: try f.steps(after: warmup),
                                        base: try f.number("power", default: 10, requirement: "positive") { $0 > 0 })
        case .onecycle:
            return try oneCycle(&f, peak: peak, warmup: warmup)
        case .cyclic:
            return try cyclic(&f, peak: peak)
        case .wsd:
            return try warmupStableDecay(&f, peak: peak, warmup: warmup, start: start)
        case .infinite:
            return try infinite(&f, peak: peak, warmup: warmup)
        case .refined:
            return try refined(&f, peak: peak)
        }
    }

    private func oneCycle(_ f: inout ScheduleSpecFields, peak: Double, warmup: Int) throws(ScheduleSpecError) -> any Schedule {
        let steps = try f.steps(after: warmup, atLeast: 2)
        let pct = try f.number("pct", default: 0.3, requirement: "in (0, 1)") { $0 > 0 && $0 < 1 }
        guard pct * Double(steps) - 1 > 0 else {
            throw f.outOfRange("pct", "above 1/\(steps) so that the rise lasts at least one of the \(steps) steps after warm-up")
        }
        let threePhase = try f.integer("phases", default: 2, requirement: "2 or 3") { $0 == 2 || $0 == 3 } == 3
        guard !threePhase || 2 * pct * Double(steps) - 2 < Double(steps - 1) else {
            throw f.outOfRange("pct", "below (steps + 1) / (2 · steps) = \(Double(steps + 1) / Double(2 * steps)) with phases=3")
        }
        return OneCycle(maxValue: peak, steps: steps, pctStart: pct,
                        divFactor: try f.number("div", default: 25, requirement: "positive") { $0 > 0 },
                        finalDivFactor: try f.number("finaldiv", default: 1e4, requirement: "positive") { $0 > 0 },
                        annealing: try f.choice("anneal", default: OneCycle.Annealing.cosine), threePhase: threePhase)
    }

    /// The names of ``CyclicSchedule/Mode`` in a spec, PyTorch's.
    private enum CyclicModeName: String, CaseIterable {
        case triangular, triangular2, exp_range
    }

    private func cyclic(_ f: inout ScheduleSpecFields, peak: Double) throws(ScheduleSpecError) -> any Schedule {
        let floor = try f.floor(below: peak)
        let up = try f.integer("up", requirement: "positive") { $0 > 0 }
        let down = try f.integer("down", default: up, requirement: "positive") { $0 > 0 }
        let modeName = try f.choice("mode", default: CyclicModeName.triangular)
        if modeName != .exp_range && f.has("gamma") { throw f.outOfRange("gamma", "given only with mode=exp_range") }
        let mode: CyclicSchedule.Mode
        switch modeName {
        case .triangular: mode = .triangular
        case .triangular2: mode = .triangular2
        case .exp_range: mode = .exponentialRange(gamma: try f.decayFactor(default: nil))
        }
        return CyclicSchedule(floor: floor, peak: peak, stepsUp: up, stepsDown: down, mode: mode)
    }

    private func warmupStableDecay(_ f: inout ScheduleSpecFields, peak: Double, warmup: Int, start: Double) throws(ScheduleSpecError) -> any Schedule {
        let steps = try f.integer("steps", requirement: "positive") { $0 > 0 }
        let fraction = try f.number("decay", default: 0.2, requirement: "in (0, 1] and leave at least one decay step") {
            $0 > 0 && $0 <= 1 && Int(($0 * Double(steps)).rounded()) > 0
        }
        let decaySteps = Int((fraction * Double(steps)).rounded())
        // The default fraction is not checked by `number`: a short run may leave it no decay step.
        guard decaySteps > 0 else {
            throw f.outOfRange("steps", "large enough that decay = \(fraction) of them rounds to at least one decay step")
        }
        let shape = try f.choice("shape", default: WarmupStableDecay.DecayShape.linear)
        guard warmup <= steps - decaySteps else { throw f.outOfRange("warmup", "at most \(steps - decaySteps), where the decay starts") }
        return WarmupStableDecay(peak: peak, floor: try f.floor(below: peak), steps: steps, warmup: warmup,
                                 warmupStartFactor: start, decayFraction: fraction, shape: shape)
    }

    private func infinite(_ f: inout ScheduleSpecFields, peak: Double, warmup: Int) throws(ScheduleSpecError) -> any Schedule {
        let constant = try f.number("constant", requirement: "in (0, peak = \(peak)]") { $0 > 0 && $0 <= peak }
        let floor = try f.number("floor", requirement: "in (0, constant = \(constant)]") { $0 > 0 && $0 <= constant }
        let cooldown = try f.integer("cooldown", default: 0, requirement: "non-negative") { $0 >= 0 }
        let annealSteps = try f.integer("annealsteps", requirement: "positive") { $0 > 0 }
        var annealStart: Int?
        if f.has("anneal") {
            annealStart = try f.integer("anneal", requirement: "at least warmup + cooldown = \(warmup + cooldown)") { $0 >= warmup + cooldown }
        }
        return InfiniteSchedule(peak: peak, constant: constant, floor: floor, warmup: warmup, cooldown: cooldown,
                                annealStart: annealStart, annealSteps: annealSteps)
    }

    private func refined(_ f: inout ScheduleSpecFields, peak: Double) throws(ScheduleSpecError) -> any Schedule {
        let path = try f.text("file")
        let key = try f.text("key", default: "grad_norm")
        let window = try f.integer("window", default: 1, requirement: "odd and positive") { $0 >= 1 && $0 % 2 == 1 }
        let power = try f.number("power", default: 2, requirement: "positive") { $0 > 0 }
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if let type = try? FileManager.default.attributesOfItem(atPath: resolved)[.type] as? FileAttributeType, type != .typeRegular {
            throw ScheduleSpecError(spec: f.spec, problem: .unusableFile(field: "file", reason: "\(path) is not a regular file"))
        }
        let norms: [Double]
        do {
            norms = try RunLog(contentsOf: path).perStep(key)
        } catch {
            throw ScheduleSpecError(spec: f.spec, problem: .unusableFile(field: "file", reason: error.description))
        }
        guard norms.count >= 2, norms.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ScheduleSpecError(spec: f.spec, problem: .unusableFile(
                field: "file", reason: "\(path) needs at least 2 positive finite '\(key)' values, has \(norms.count) values"))
        }
        let schedule = RefinedSchedule(peak: peak, gradientNorms: norms, medianWindow: window, power: power)
        guard schedule.values.allSatisfy(\.isFinite) else {
            throw f.outOfRange("power", "small enough that the '\(key)' values of \(path) to the power −\(power) stay finite and non-zero")
        }
        return schedule
    }
}

extension ScheduleSpecFields {
    /// `floor` (0 by default), non-negative and at most `peak`.
    mutating func floor(below peak: Double) throws(ScheduleSpecError) -> Double {
        try number("floor", default: 0, requirement: "in [0, peak = \(peak)]") { 0...peak ~= $0 }
    }

    /// `gamma`, the factor of a decay: in (0, 1], so that the value never grows.
    mutating func decayFactor(default fallback: Double? = 0.1) throws(ScheduleSpecError) -> Double {
        try number("gamma", default: fallback, requirement: "in (0, 1]") { $0 > 0 && $0 <= 1 }
    }

    /// The `steps` field minus the warm-up: the length left for the decay, at least `least`.
    mutating func steps(after warmup: Int, atLeast least: Int = 1) throws(ScheduleSpecError) -> Int {
        let steps = try integer("steps", requirement: "at least \(least)") { $0 >= least }
        guard warmup <= steps - least else {
            throw outOfRange("warmup", least == 1 ? "less than steps = \(steps)" : "at most steps − \(least) = \(steps - least)")
        }
        return steps - warmup
    }
}
