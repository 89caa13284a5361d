import Foundation

/// The `kiln` executable built beside this test binary, `mpirun` when it is on the `PATH`, and
/// the arguments that start a job of `processes` processes on this machine.
enum Launcher {
    static var kiln: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.deletingLastPathComponent().appendingPathComponent("kiln").path
    }

    static var mpirun: String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return folders.map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `mpirun -np N`, allowing more processes than cores and, under root, running as root.
    static func mpirunArguments(processes: Int) -> [String] {
        ["-np", "\(processes)", "--oversubscribe"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
    }
}

/// A process of a test, its output kept in files beside `folder`.
final class Job {
    let process = Process()
    private let output: String, errorOutput: String

    /// Starts `executable` with `arguments`, writing its output to files in `folder`.
    init(_ executable: String, _ arguments: [String], folder: String, name: String) throws {
        output = folder + "/\(name).out"
        errorOutput = folder + "/\(name).err"
        for file in [output, errorOutput] where !FileManager.default.createFile(atPath: file, contents: nil) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file])
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: errorOutput)
        try process.run()
    }

    /// The exit status once the process ends, or nil (after terminating it) when it runs longer than `seconds`.
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            process.terminate()
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// What the process wrote to standard error so far.
    var errors: String { (try? String(contentsOfFile: errorOutput, encoding: .utf8)) ?? "" }
    /// What the process wrote to standard output so far.
    var printed: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
}

/// The process started by `mpirun` as rank `rank` whose command line mentions `marker`, found
/// through `/proc` (Open MPI gives each rank `OMPI_COMM_WORLD_RANK` in its environment).
func processOfRank(_ rank: Int, marker: String) -> pid_t? {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
        guard let pid = pid_t(entry),
              let commandLine = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
              let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
        let arguments = commandLine.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        if arguments.first?.hasSuffix("/kiln") == true, arguments.contains(where: { $0.contains(marker) }),
           variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") {
            return pid
        }
    }
    return nil
}

/// A fresh folder for one test.
func scratchFolder(_ name: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-distributed-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes a CSV of 200 rows (four classes of 50, points around four centres in three features
/// plus a noise feature) and a settings file training a small MLP on it without dropout; returns
/// the settings file's path. With the default test fraction 0.2, 160 rows train: 5 steps of 32 per epoch.
func tabularSettings(in folder: String) throws -> String {
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    func uniform() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    let centres: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]
    var text = "x,y,z,noise,class\n"
    for (label, centre) in centres.enumerated() {
        for _ in 0..<50 {
            let values = centre.map { $0 + 0.8 * (uniform() - 0.5) } + [uniform()]
            text += values.map { String(format: "%.6f", $0) }.joined(separator: ",") + ",c\(label)\n"
        }
    }
    try text.write(toFile: folder + "/points.csv", atomically: true, encoding: .utf8)
    let settings = """
    model: mlp
    mlp: {hidden: [32, 16]}
    epochs: 10
    lr: 0.01
    data: {path: \(folder)/points.csv, label_column: class}
    """
    try settings.write(toFile: folder + "/settings.yaml", atomically: true, encoding: .utf8)
    return folder + "/settings.yaml"
}
