import Foundation
import KilnTrain
import Testing

private func scratchFolder(_ name: String) -> String {
    let path = temporaryPath(name)
    try? FileManager.default.removeItem(atPath: path)
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct RunFolderTests {
    @Test func namesThatLeaveTheOutputFolderAreRejected() throws {
        for bad in ["", "a/b", "/etc", "..", "../up", "x..y", ".hidden", ".", "tab\there", String(repeating: "n", count: 129)] {
            #expect(throws: RunError.self, "\(bad.debugDescription) was accepted") { try RunFolder(out: "runs", name: bad) }
        }
        let error = #expect(throws: RunError.self) { try RunFolder(out: "runs", name: "../escape") }
        #expect(error?.description == "run name '../escape' contains '/'; a name is one folder inside the output folder")
        let broken = #expect(throws: RunError.self) { try RunFolder(out: "runs", name: "a\nb\u{202E}") }
        #expect(broken?.description == "run name 'a\\nb\\u{202E}' contains a control character; a name is one folder inside the output folder")
        let fine = try RunFolder(out: "runs", name: "mlp-20260101-000000_v1.2")
        #expect(fine.path == "runs/mlp-20260101-000000_v1.2" && fine.log == "runs/mlp-20260101-000000_v1.2/metrics.jsonl")
        #expect(try RunFolder(out: "runs", name: String(repeating: "n", count: 128)).name.count == 128)
    }

    @Test func aNewRunNeverReusesAFolderAndLeavesItsBytesAlone() throws {
        let out = scratchFolder("reuse")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let folder = try RunFolder(out: out, name: "first")
        try folder.create()
        let bytes = Data("{\"kind\":\"step\",\"step\":0,\"epoch\":1,\"loss\":1}\n".utf8)
        _ = FileManager.default.createFile(atPath: folder.log, contents: bytes)

        let again = try RunFolder(out: out, name: "first")
        let early = #expect(throws: RunError.self) { try again.checkAbsent() }
        #expect(early?.description.contains("already exists; pass --resume") == true)
        #expect(throws: RunError.self) { try again.create() }
        #expect(FileManager.default.contents(atPath: folder.log) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["metrics.jsonl"])
    }

    @Test func anOutputFolderThatIsAFileIsNamed() throws {
        let out = scratchFolder("outfile")
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = FileManager.default.createFile(atPath: out + "/plain", contents: Data([1]))
        let error = #expect(throws: RunError.self) { try RunFolder(out: out + "/plain/runs", name: "a").create() }
        #expect(error?.description == "cannot create the output folder \(out)/plain/runs: \(out)/plain is not a folder")
        try RunFolder(out: out + "/new/runs", name: "a").create()
        #expect(FileManager.default.fileExists(atPath: out + "/new/runs/a"))
    }

    @Test func resumingNeedsAFolderWithACheckpoint() throws {
        let out = scratchFolder("resumable")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let missing = #expect(throws: RunError.self) { try RunFolder(out: out, name: "none").checkResumable() }
        #expect(missing?.description.contains("no run folder") == true)
        let empty = try RunFolder(out: out, name: "empty")
        try empty.create()
        let bare = #expect(throws: RunError.self) { try empty.checkResumable() }
        #expect(bare?.description.contains("holds no checkpoint.safetensors") == true)
    }

    @Test func temporaryFilesOfKilledWritesAreRemoved() throws {
        let out = scratchFolder("stale")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let folder = try RunFolder(out: out, name: "run")
        try folder.create()
        let keep = ["checkpoint.safetensors", "metrics.jsonl", ".notes", ".x.tmp", ".report.html.12ab.tmp"]
        let stale = [".checkpoint.safetensors.4242.tmp", ".report.html.7.tmp"]
        for name in keep + stale { _ = FileManager.default.createFile(atPath: folder.path + "/" + name, contents: Data([0])) }
        #expect(folder.removeTemporaryFiles() == stale.sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == keep.sorted())
    }
}
