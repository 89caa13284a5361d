import Foundation
import Kiln
import KilnOptimizers
import KilnTestSupport
import Testing

@Suite struct ScheduleSpecTests {
    @Test func cosineWithWarmupCountsWarmupInSteps() throws {
        let parsed = try ScheduleSpec.parse("cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200")
        let direct = CosineAnnealing(peak: 1e-3, floor: 1e-5, steps: 4490).withWarmup(steps: 200)
        for step in [0, 1, 199, 200, 201, 2000, 4689, 4690, 5000] {
            #expect(parsed.value(at: step) == direct.value(at: step), "step \(step)")
        }
        #expect(parsed.value(at: 4690) == 1e-5)
    }

    @Test func briefExamples() throws {
        let wsd = try ScheduleSpec.parse("wsd:peak=1e-3,steps=10000,decay=0.2")
        #expect(wsd.value(at: 7999) == 1e-3)
        #expect(wsd.value(at: 10_000) == 0)
        let constant = try ScheduleSpec.parse("constant:1e-3")
        #expect(constant.value(at: 0) == 1e-3 && constant.value(at: 123_456) == 1e-3)
        let spaced = try ScheduleSpec.parse(" wsd: peak = 2e-3 , steps = 1e4, warmup=100, shape=1-sqrt ")
        #expect(spaced.value(at: 50) == 1e-3)
    }

    @Test func everyFamilyParses() throws {
        let specs = [
            "constant:peak=0.5", "step:peak=1,size=10", "multistep:1,milestones=5/10", "exponential:1,gamma=0.9",
            "polynomial:1,steps=10,power=2", "linear:1,steps=10", "cosine:1,steps=10", "sgdr:1,period=10,mult=2",
            "cospow:1,steps=10,power=5", "onecycle:1,steps=100", "onecycle:1,steps=100,pct=0.5,phases=3,anneal=linear",
            "cyclic:1e-2,up=10", "cyclic:1e-2,floor=1e-4,up=10,down=5,mode=exp_range,gamma=0.99", "wsd:1,steps=100,warmup=10,start=0.5,floor=0.01,shape=cosine",
            "infinite:1e-3,constant=1e-4,floor=1e-6,warmup=10,cooldown=20,annealsteps=30,anneal=100",
        ]
        for spec in specs {
            let schedule = try ScheduleSpec.parse(spec)
            #expect(schedule.value(at: 0).isFinite, "\(spec)")
        }
        let infinite = try ScheduleSpec.parse("infinite:1e-3,constant=1e-4,floor=1e-6,warmup=10,cooldown=20,annealsteps=30,anneal=100")
        #expect(infinite.value(at: 99) == 1e-4)
        #expect(infinite.value(at: 130) == 1e-6)
    }

    @Test func refinedReadsGradientNormsFromARunLog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-refined-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = (0..<50).map { #"{"step": \#($0), "lr": 0.1, "grad_norm": 3.0}"# }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let refined = try ScheduleSpec.parse("refined:peak=0.01,file=\(path)")
        let linear = LinearDecay(peak: 0.01, steps: 49)
        for step in 0...55 {
            expectClose(refined.value(at: step), linear.value(at: step), relative: 1e-13, "step \(step)")
        }
        // 3^−1000 underflows to 0, so every weight vanishes: an error, not a schedule of NaNs.
        let underflowing = "refined:peak=0.01,file=\(path),power=1000"
        #expect(throws: ScheduleSpecError(spec: underflowing, problem: .outOfRange(
            field: "power", requirement: "small enough that the 'grad_norm' values of \(path) to the power −1000.0 stay finite and non-zero"))) {
            try ScheduleSpec.parse(underflowing)
        }
    }

    static let families = "constant, step, multistep, exponential, polynomial, linear, cosine, sgdr, cospow, onecycle, cyclic, wsd, infinite, refined"

    /// Every rejected spec with the field at fault and the message after `schedule '<spec>': `.
    static let rejected: [(spec: String, field: String?, message: String)] = [
        ("", nil, "expected family:key=value,... (families: \(families))"),
        ("   ", nil, "expected family:key=value,... (families: \(families))"),
        (":peak=1", nil, "expected family:key=value,... (families: \(families))"),
        ("cosnie:peak=1", nil, "unknown family 'cosnie' (families: \(families))"),
        ("cosine:peak=1e-3,floor=1e-5", "steps", "field 'steps' is required"),
        ("cosine:peak=abc,steps=10", "peak", "field 'peak' = 'abc' is not a finite number"),
        ("constant:inf", "peak", "field 'peak' = 'inf' is not a finite number"),
        ("constant:nan", "peak", "field 'peak' = 'nan' is not a finite number"),
        ("constant:1e999", "peak", "field 'peak' = '1e999' is not a finite number"),
        ("cosine:peak=-1e-3,steps=10", "peak", "field 'peak' must be non-negative"),
        ("cosine:1,steps=10,floor=nan", "floor", "field 'floor' = 'nan' is not a finite number"),
        ("cosine:1e-3,steps=10,floor=1e-2", "floor", "field 'floor' must be in [0, peak = 0.001]"),
        ("polynomial:1,steps=10,floor=-0.1", "floor", "field 'floor' must be in [0, peak = 1.0]"),
        ("sgdr:1,period=10,floor=2", "floor", "field 'floor' must be in [0, peak = 1.0]"),
        ("exponential:1,gamma=-0.5", "gamma", "field 'gamma' must be in (0, 1]"),
        ("exponential:1,gamma=1.01", "gamma", "field 'gamma' must be in (0, 1]"),
        ("step:1,size=10,gamma=0", "gamma", "field 'gamma' must be in (0, 1]"),
        ("multistep:1,milestones=5/10,gamma=1e300", "gamma", "field 'gamma' must be in (0, 1]"),
        ("polynomial:1,steps=10,power=-inf", "power", "field 'power' = '-inf' is not a finite number"),
        ("linear:1,steps=0", "steps", "field 'steps' must be at least 1"),
        ("cosine:1,steps=-5", "steps", "field 'steps' must be at least 1"),
        ("cosine:1,steps=1e300", "steps", "field 'steps' must be at most 1000000000000000 in size"),
        ("cosine:1,steps=99999999999999999999", "steps", "field 'steps' must be at most 1000000000000000 in size"),
        ("cosine:1,steps=10,warmup=9223372036854775807", "warmup", "field 'warmup' must be at most 1000000000000000 in size"),
        ("step:1,size=-9223372036854775808", "size", "field 'size' must be at most 1000000000000000 in size"),
        ("cosine:1,steps=10,warmup=-1", "warmup", "field 'warmup' must be non-negative"),
        ("cosine:peak=1e-3,steps=100,warmup=100", "warmup", "field 'warmup' must be less than steps = 100"),
        ("linear:1,steps=100,warmup=500", "warmup", "field 'warmup' must be less than steps = 100"),
        ("onecycle:1,steps=100,warmup=99", "warmup", "field 'warmup' must be at most steps − 2 = 98"),
        ("wsd:1,steps=100,warmup=90", "warmup", "field 'warmup' must be at most 80, where the decay starts"),
        ("cosine:1,steps=10,start=2", "start", "field 'start' must be in [0, 1]"),
        ("step:peak=1,size=2.5", "size", "field 'size' = '2.5' is not a whole number"),
        ("step:peak=1,size=10,size=20", "size", "field 'size' is given twice"),
        ("constant:1e-3,peak=2", "peak", "field 'peak' is given twice"),
        ("constant:1e-3,oops", "oops", "'oops' is not key=value"),
        ("cosine:1,steps=10,", "", "'' is not key=value"),
        ("cosine:peak=1e-3,steps=100,bogus=1", "bogus", "field 'bogus' is not used by cosine (its fields: floor, peak, start, steps, warmup)"),
        ("infinite:1,constant=0.1,floor=0.01,annealsteps=10,start=0.5", "start",
         "field 'start' is not used by infinite (its fields: anneal, annealsteps, constant, cooldown, floor, peak, warmup)"),
        ("multistep:peak=1,milestones=10/x", "milestones", "field 'milestones' = '10/x' is not non-negative whole numbers separated by '/'"),
        ("multistep:peak=1,milestones=10/-20", "milestones", "field 'milestones' = '10/-20' is not non-negative whole numbers separated by '/'"),
        ("multistep:peak=1,milestones=10/1e300", "milestones", "field 'milestones' must be at most 1000000000000000 in size"),
        ("sgdr:1,period=10,mult=0", "mult", "field 'mult' must be at least 1"),
        ("wsd:peak=1e-3,steps=10000,decay=1.5", "decay", "field 'decay' must be in (0, 1] and leave at least one decay step"),
        ("wsd:peak=1,steps=100,shape=square", "shape", "field 'shape' = 'square' is not one of linear, cosine, 1-sqrt"),
        ("infinite:1e-3,constant=1e-2,floor=1e-6,annealsteps=10", "constant", "field 'constant' must be in (0, peak = 0.001]"),
        ("infinite:1e-3,constant=1e-4,floor=1e-3,annealsteps=10", "floor", "field 'floor' must be in (0, constant = 0.0001]"),
        ("infinite:1,constant=0.1,floor=0.01,annealsteps=10,warmup=5,cooldown=5,anneal=9", "anneal",
         "field 'anneal' must be at least warmup + cooldown = 10"),
        ("onecycle:1,steps=100,pct=0.005", "pct", "field 'pct' must be above 1/100 so that the rise lasts at least one of the 100 steps after warm-up"),
        ("onecycle:1,steps=100,pct=1.5", "pct", "field 'pct' must be in (0, 1)"),
        ("onecycle:1,steps=100,pct=0", "pct", "field 'pct' must be in (0, 1)"),
        ("onecycle:1,steps=100,pct=-0.3", "pct", "field 'pct' must be in (0, 1)"),
        ("onecycle:1,steps=100,pct=nan", "pct", "field 'pct' = 'nan' is not a finite number"),
        ("onecycle:1,steps=100,pct=0.6,phases=3", "pct", "field 'pct' must be below (steps + 1) / (2 · steps) = 0.505 with phases=3"),
        ("onecycle:1,steps=100,phases=4", "phases", "field 'phases' must be 2 or 3"),
        ("onecycle:1,steps=100,anneal=cubic", "anneal", "field 'anneal' = 'cubic' is not one of cos, linear"),
        ("onecycle:1,steps=100,div=0", "div", "field 'div' must be positive"),
        ("onecycle:1,steps=100,finaldiv=-1e4", "finaldiv", "field 'finaldiv' must be positive"),
        ("cyclic:1e-2,floor=1e-4", "up", "field 'up' is required"),
        ("cyclic:1e-2,up=0", "up", "field 'up' must be positive"),
        ("cyclic:1e-2,up=10,down=-1", "down", "field 'down' must be positive"),
        ("cyclic:1e-2,floor=0.1,up=10", "floor", "field 'floor' must be in [0, peak = 0.01]"),
        ("cyclic:1e-2,up=10,mode=sawtooth", "mode", "field 'mode' = 'sawtooth' is not one of triangular, triangular2, exp_range"),
        ("cyclic:1e-2,up=10,gamma=0.9", "gamma", "field 'gamma' must be given only with mode=exp_range"),
        ("cyclic:1e-2,up=10,mode=exp_range", "gamma", "field 'gamma' is required"),
        ("cyclic:1e-2,up=10,mode=exp_range,gamma=1.5", "gamma", "field 'gamma' must be in (0, 1]"),
        ("refined:peak=1,file=/dev/zero", "file", "field 'file': /dev/zero is not a regular file"),
        ("refined:peak=1,file=/tmp", "file", "field 'file': /tmp is not a regular file"),
        ("refined:peak=1,file=/nonexistent/run.jsonl", "file", "field 'file': /nonexistent/run.jsonl: no such file"),
    ]

    @Test(arguments: rejected.indices)
    func badSpecsNameTheFieldInOneLine(_ index: Int) {
        let (spec, field, message) = Self.rejected[index]
        do {
            let schedule = try ScheduleSpec.parse(spec)
            Issue.record("'\(spec)' was accepted: \(schedule.value(at: 0))")
        } catch {
            #expect(error.description == "schedule '\(spec)': \(message)")
            #expect(error.field == field, "\(spec)")
        }
    }

    @Test func overlongSpecIsRejectedBeforeParsing() {
        let spec = "cosine:peak=1,steps=10,file=" + String(repeating: "x", count: 5000)
        #expect(throws: ScheduleSpecError(spec: String(spec.prefix(40)) + "…", problem: .tooLong(bytes: 5028, limit: 4096))) {
            try ScheduleSpec.parse(spec)
        }
    }

    @Test func controlCharactersAreEscapedInTheMessage() {
        do {
            _ = try ScheduleSpec.parse("cosine:peak=1\n,steps=10")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"schedule 'cosine:peak=1\n,steps=10': field 'peak' = '1\n' is not a finite number"#)
        }
    }

    @Test func familyNamesAreTheTypedList() {
        #expect(ScheduleSpec.families == ScheduleFamily.allCases.map(\.rawValue))
        #expect(ScheduleSpec.families.joined(separator: ", ") == Self.families)
    }

    @Test func mutatedSpecsThrowOrGiveFiniteValues() {
        let seeds = ["cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200", "onecycle:1,steps=100,pct=0.4,phases=3,anneal=linear",
                     "cyclic:1e-2,floor=1e-4,up=10,down=5,mode=exp_range,gamma=0.99", "sgdr:1,period=10,mult=3,floor=0.1",
                     "wsd:1,steps=100,warmup=10,start=0.5,floor=0.01,shape=cosine", "multistep:1,milestones=5/10,gamma=0.5",
                     "infinite:1e-3,constant=1e-4,floor=1e-6,warmup=10,cooldown=20,annealsteps=30,anneal=100"]
        let pieces = ["", "0", "-", "9", "1e300", "nan", "=", ",", ":", "/", "9223372036854775807", "e", ".", " ", "\u{0}"]
        let random = RandomGenerator(seed: 10)
        for _ in 0..<3000 {
            var spec = Array(seeds[Int(random.next() % UInt64(seeds.count))])
            for _ in 0...(random.next() % 3) {
                let at = Int(random.next() % UInt64(spec.count + 1))
                let piece = Array(pieces[Int(random.next() % UInt64(pieces.count))])
                let cut = min(spec.count - at, Int(random.next() % 4))
                spec.replaceSubrange(at..<(at + cut), with: piece)
            }
            guard let schedule = try? ScheduleSpec.parse(String(spec)) else { continue }
            for step in [0, 1, 99, 10_000, Int.max / 2] {
                #expect(schedule.value(at: step).isFinite, "\(String(spec)) at step \(step)")
            }
        }
    }

    @Test func errorIsOneLineNamingTheField() {
        do {
            _ = try ScheduleSpec.parse("cosine:peak=1e-3,steps=ten")
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "steps")
            #expect(error.description == "schedule 'cosine:peak=1e-3,steps=ten': field 'steps' = 'ten' is not a whole number")
            #expect(!error.description.contains("\n"))
        }
    }
}

