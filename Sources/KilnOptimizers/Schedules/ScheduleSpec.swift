/// Builds schedules from one-line specs, as given on the command line:
/// `family:key=value,key=value,...`, or `family:value` for the peak alone.
///
/// ```
/// constant:1e-3
/// cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200
/// wsd:peak=1e-3,steps=10000,decay=0.2,warmup=500,shape=1-sqrt
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
/// | `onecycle` | `peak`, `steps`, `pct` (0.3), `div` (25), `finaldiv` (1e4) |
/// | `wsd` | `peak`, `steps`, `decay` (0.2), `floor` (0), `shape` (`linear`, `cosine`, `1-sqrt`) |
/// | `infinite` | `peak`, `constant`, `floor`, `cooldown` (0), `annealsteps`, `anneal` (none) |
/// | `refined` | `peak`, `file` (JSON Lines run log), `key` (`grad_norm`), `window` (1), `power` (2) |
///
/// Every family takes `warmup` (steps, 0) and all but `infinite` take `start`, the fraction of the
/// first value the warm-up ramp starts from (0); see ``Warmup``. `steps` counts the whole run,
/// warm-up included: `cosine:steps=4690,warmup=200` warms up for 200 steps and anneals over 4490.
/// `wsd` and `infinite` warm up inside their own phases.
public enum ScheduleSpec {
    /// The family names a spec may start with.
    public static let families = ["constant", "step", "multistep", "exponential", "polynomial", "linear", "cosine",
                                  "sgdr", "cospow", "onecycle", "wsd", "infinite", "refined"]

    /// The schedule described by `spec`, or an error naming the field at fault.
    public static func parse(_ spec: String) throws(ScheduleSpecError) -> AnySchedule {
        let trimmed = Substring(spec).trimmingSpaces
        let name = trimmed.prefix { $0 != ":" }.lowercased()
        guard !name.isEmpty else { throw ScheduleSpecError(spec: spec, problem: .empty) }
        guard families.contains(name) else { throw ScheduleSpecError(spec: spec, problem: .unknownFamily(name)) }
        var fields = try ScheduleSpecFields(spec: spec, body: trimmed.drop { $0 != ":" }.dropFirst())
        let warmup = try fields.integer("warmup", default: 0, requirement: "non-negative") { $0 >= 0 }
        let start = name == "infinite" ? 0 : try fields.number("start", default: 0, requirement: "in [0, 1]") { 0...1 ~= $0 }
        let schedule: any Schedule
        var warmsUpItself = false
        switch name {
        case "wsd":
            schedule = try warmupStableDecay(&fields, warmup: warmup, start: start)
            warmsUpItself = true
        case "infinite":
            schedule = try infinite(&fields, warmup: warmup)
            warmsUpItself = true
        case "refined":
            schedule = try refined(&fields)
        default:
            schedule = try decay(name, &fields, warmup: warmup)
        }
        try fields.rejectUnused()
        if warmup > 0 && !warmsUpItself {
            return AnySchedule(AnySchedule(schedule).withWarmup(steps: warmup, startFactor: start))
        }
        return AnySchedule(schedule)
    }

    /// The families that need nothing but numbers and run after an optional warm-up.
    private static func decay(_ name: String, _ f: inout ScheduleSpecFields, warmup: Int) throws(ScheduleSpecError) -> any Schedule {
        let peak = try f.number("peak")
        switch name {
        case "constant":
            return ConstantSchedule(peak)
        case "step":
            return StepDecay(initial: peak, stepSize: try f.integer("size", requirement: "positive") { $0 > 0 },
                             gamma: try f.number("gamma", default: 0.1, requirement: "positive") { $0 > 0 })
        case "multistep":
            return MultiStepDecay(initial: peak, milestones: try f.integerList("milestones"),
                                  gamma: try f.number("gamma", default: 0.1, requirement: "positive") { $0 > 0 })
        case "exponential":
            return ExponentialDecay(initial: peak, gamma: try f.number("gamma", requirement: "positive") { $0 > 0 })
        case "polynomial":
            return PolynomialDecay(peak: peak, floor: try f.number("floor", default: 0), steps: try steps(&f, after: warmup),
                                   power: try f.number("power", default: 1, requirement: "positive") { $0 > 0 })
        case "linear":
            return LinearDecay(peak: peak, steps: try steps(&f, after: warmup))
        case "cosine":
            return CosineAnnealing(peak: peak, floor: try f.number("floor", default: 0), steps: try steps(&f, after: warmup))
        case "sgdr":
            return CosineWarmRestarts(peak: peak, floor: try f.number("floor", default: 0),
                                      period: try f.integer("period", requirement: "positive") { $0 > 0 },
                                      periodMultiplier: try f.integer("mult", default: 1, requirement: "at least 1") { $0 >= 1 })
        case "cospow":
            return CosinePowerAnnealing(peak: peak, floor: try f.number("floor", default: 0), steps: try steps(&f, after: warmup),
                                        base: try f.number("power", default: 10, requirement: "positive") { $0 > 0 })
        default:
            let steps = try steps(&f, after: warmup, atLeast: 2)
            let pct = try f.number("pct", default: 0.3, requirement: "in (1/steps, 1)") { $0 < 1 && $0 * Double(steps) - 1 > 0 }
            return OneCycle(maxValue: peak, steps: steps, pctStart: pct,
                            divFactor: try f.number("div", default: 25, requirement: "positive") { $0 > 0 },
                            finalDivFactor: try f.number("finaldiv", default: 1e4, requirement: "positive") { $0 > 0 })
        }
    }

    /// The `steps` field minus the warm-up: the length left for the decay.
    private static func steps(_ f: inout ScheduleSpecFields, after warmup: Int, atLeast least: Int = 1) throws(ScheduleSpecError) -> Int {
        try f.integer("steps", requirement: "at least warmup + \(least) = \(warmup + least)") { $0 >= warmup + least } - warmup
    }

    private static func warmupStableDecay(_ f: inout ScheduleSpecFields, warmup: Int, start: Double) throws(ScheduleSpecError) -> any Schedule {
        let peak = try f.number("peak")
        let steps = try f.integer("steps", requirement: "positive") { $0 > 0 }
        let fraction = try f.number("decay", default: 0.2, requirement: "in (0, 1] and leave at least one decay step") {
            $0 > 0 && $0 <= 1 && Int(($0 * Double(steps)).rounded()) > 0
        }
        let shapeText = try f.text("shape", default: "linear")
        guard let shape = WarmupStableDecay.DecayShape(rawValue: shapeText) else {
            throw ScheduleSpecError(spec: f.spec, problem: .badValue(field: "shape", text: shapeText, expected: "linear, cosine or 1-sqrt"))
        }
        let decaySteps = Int((fraction * Double(steps)).rounded())
        guard warmup <= steps - decaySteps else { throw f.outOfRange("warmup", "at most \(steps - decaySteps), where the decay starts") }
        return WarmupStableDecay(peak: peak, floor: try f.number("floor", default: 0), steps: steps, warmup: warmup,
                                 warmupStartFactor: start, decayFraction: fraction, shape: shape)
    }

    private static func infinite(_ f: inout ScheduleSpecFields, warmup: Int) throws(ScheduleSpecError) -> any Schedule {
        let peak = try f.number("peak")
        let constant = try f.number("constant", requirement: "positive") { $0 > 0 }
        let floor = try f.number("floor", requirement: "positive") { $0 > 0 }
        let cooldown = try f.integer("cooldown", default: 0, requirement: "non-negative") { $0 >= 0 }
        let annealSteps = try f.integer("annealsteps", requirement: "positive") { $0 > 0 }
        var annealStart: Int?
        if f.has("anneal") {
            annealStart = try f.integer("anneal", requirement: "at least warmup + cooldown = \(warmup + cooldown)") { $0 >= warmup + cooldown }
        }
        return InfiniteSchedule(peak: peak, constant: constant, floor: floor, warmup: warmup, cooldown: cooldown,
                                annealStart: annealStart, annealSteps: annealSteps)
    }

    private static func refined(_ f: inout ScheduleSpecFields) throws(ScheduleSpecError) -> any Schedule {
        let peak = try f.number("peak")
        let path = try f.text("file")
        let key = try f.text("key", default: "grad_norm")
        let window = try f.integer("window", default: 1, requirement: "odd and positive") { $0 >= 1 && $0 % 2 == 1 }
        let power = try f.number("power", default: 2, requirement: "positive") { $0 > 0 }
        let norms: [Double]
        do {
            norms = try RunLog(contentsOf: path).series(key)
        } catch {
            throw ScheduleSpecError(spec: f.spec, problem: .unusableFile(field: "file", reason: error.description))
        }
        guard norms.count >= 2, norms.allSatisfy({ $0 > 0 }) else {
            throw ScheduleSpecError(spec: f.spec, problem: .unusableFile(
                field: "file", reason: "\(path) needs at least 2 positive '\(key)' values, has \(norms.count) values"))
        }
        return RefinedSchedule(peak: peak, gradientNorms: norms, medianWindow: window, power: power)
    }
}
