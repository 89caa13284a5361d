import Foundation
import KilnTrain
import Testing

@Suite struct MetricsLogTests {
    let records = (0..<4).map { LogRecord(kind: "step", step: $0, epoch: 1, values: ["loss": 1 / Double($0 + 1), "lr": 0.1]) }
        + [LogRecord(kind: "epoch", step: 4, epoch: 1, values: ["train_loss": 0.5])]

    func written(_ name: String, tail: String = "") throws -> String {
        let path = temporaryPath(name)
        let log = try MetricsLog(path: path)
        for record in records { try log.write(record) }
        if !tail.isEmpty {
            let handle = FileHandle(forWritingAtPath: path)!
            handle.seekToEndOfFile()
            handle.write(Data(tail.utf8))
            try handle.close()
        }
        return path
    }

    @Test func aTornLastLineCostsOnlyThatLine() throws {
        let path = try written("torn.jsonl", tail: #"{"epoch":2,"kind":"st"#)
        defer { unlink(path) }
        #expect(try RunLog(contentsOf: path).records == records)
        // A bad line with lines after it is damage, not a torn write.
        try (String(contentsOfFile: path, encoding: .utf8) + "\n" + MetricsLog.encode(records[0]) + "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: LogError.self) { try RunLog(contentsOf: path).records }
        #expect(error?.line == 6)
    }

    @Test func resumingCutsRecordsPastTheCheckpointAndATornTail() throws {
        let path = try written("resume.jsonl", tail: #"{"epoch":1,"kind":"step","loss":0.1,"step":4"#)
        defer { unlink(path) }
        // The checkpoint was written after step 2 (progress.step == 3): steps 3 and the epoch record are recomputed.
        let (log, kept) = try MetricsLog.resume(path, at: TrainingProgress(step: 3, epoch: 0, batchInEpoch: 3))
        #expect(kept == Array(records[0..<3]))
        try log.write(records[3])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == records[0...3].map { MetricsLog.encode($0) + "\n" }.joined())
        #expect(try RunLog(contentsOf: path).records == Array(records[0...3]))
    }

    @Test func aCompleteButUnterminatedLastLineIsKeptOnReadAndCutOnResume() throws {
        let path = temporaryPath("unterminated.jsonl")
        defer { unlink(path) }
        try (MetricsLog.encode(records[0]) + "\n" + MetricsLog.encode(records[1])).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try RunLog(contentsOf: path).records == Array(records[0...1]))
        let (_, kept) = try MetricsLog.resume(path, at: TrainingProgress(step: 9))
        #expect(kept == [records[0]])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == MetricsLog.encode(records[0]) + "\n")
    }

    #if os(Linux)
    @Test func aFullDiskIsReportedAtTheFirstFailedWrite() throws {
        // Every write to /dev/full fails as on a full disk.
        let log = try MetricsLog(path: "/dev/full", append: true)
        let error = #expect(throws: LogError.self) { try log.write(records[0]) }
        #expect(error?.description == "/dev/full: cannot append a record: No space left on device")
    }
    #endif

    @Test func aLogThatCannotBeCreatedSaysWhyInWords() {
        let error = #expect(throws: LogError.self) { try MetricsLog(path: "/proc/kiln-no-such/metrics.jsonl") }
        #expect(error?.description.contains("NSCocoaErrorDomain") == false)
        #expect(error?.description.hasPrefix("/proc/kiln-no-such/metrics.jsonl: cannot create its folder") == true)
    }
}
