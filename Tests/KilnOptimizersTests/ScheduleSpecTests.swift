import Foundation
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
            "cospow:1,steps=10,power=5", "onecycle:1,steps=100", "wsd:1,steps=100,warmup=10,start=0.5,floor=0.01,shape=cosine",
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
    }

    @Test(arguments: [
        ("cosine:peak=1e-3,floor=1e-5", ScheduleSpecError.Problem.missingField("steps")),
        ("cosine:peak=abc,steps=10", .badValue(field: "peak", text: "abc", expected: "a finite number")),
        ("cosnie:peak=1", .unknownFamily("cosnie")),
        ("", .empty),
        (":peak=1", .empty),
        ("wsd:peak=1e-3,steps=10000,decay=1.5", .outOfRange(field: "decay", requirement: "in (0, 1] and leave at least one decay step")),
        ("cosine:peak=1e-3,steps=100,bogus=1", .unknownField("bogus")),
        ("cosine:peak=1e-3,steps=100,warmup=100", .outOfRange(field: "steps", requirement: "at least warmup + 1 = 101")),
        ("step:peak=1,size=10,size=20", .duplicateField("size")),
        ("constant:1e-3,oops", .malformedField("oops")),
        ("step:peak=1,size=2.5", .badValue(field: "size", text: "2.5", expected: "a whole number")),
        ("multistep:peak=1,milestones=10/x", .badValue(field: "milestones", text: "10/x", expected: "non-negative whole numbers separated by '/'")),
        ("wsd:peak=1,steps=100,shape=square", .badValue(field: "shape", text: "square", expected: "linear, cosine or 1-sqrt")),
        ("infinite:1,constant=0.1,floor=0.01,annealsteps=10,start=0.5", .unknownField("start")),
        ("onecycle:1,steps=100,pct=0.005", .outOfRange(field: "pct", requirement: "in (1/steps, 1)")),
        ("refined:peak=1,file=/nonexistent/run.jsonl", .unusableFile(field: "file", reason: "/nonexistent/run.jsonl: no such file")),
    ])
    func badSpecsNameTheProblem(spec: String, problem: ScheduleSpecError.Problem) {
        #expect(throws: ScheduleSpecError(spec: spec, problem: problem)) { try ScheduleSpec.parse(spec) }
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
