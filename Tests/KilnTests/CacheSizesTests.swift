import Foundation
import Kiln
import Testing

@Suite struct CacheSizesTests {
    /// A sysfs-like cache folder: one `index*` entry per (type, size, shared CPUs).
    private func folder(_ entries: [(String, String, String)]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-caches-\(UUID().uuidString)")
        for (i, (type, size, cpus)) in entries.enumerated() {
            let entry = root.appendingPathComponent("index\(i)")
            try FileManager.default.createDirectory(at: entry, withIntermediateDirectories: true)
            try type.write(to: entry.appendingPathComponent("type"), atomically: true, encoding: .utf8)
            try "\(size)\n".write(to: entry.appendingPathComponent("size"), atomically: true, encoding: .utf8)
            try cpus.write(to: entry.appendingPathComponent("shared_cpu_list"), atomically: true, encoding: .utf8)
        }
        return root.path
    }

    @Test func readsPrivateAndSharedCachesFromSysfs() throws {
        let path = try folder([("Data", "32K", "0"), ("Instruction", "32K", "0"), ("Unified", "1024K", "0"),
                               ("Unified", "32768K", "0-1")])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(CacheSizes.read(directory: path) == CacheSizes(perCore: 1 << 20, shared: 32 << 20))
    }

    @Test func missingOrMalformedEntriesFallBack() throws {
        #expect(CacheSizes.read(directory: "/nonexistent/kiln-caches") == CacheSizes.fallback)
        let path = try folder([("Unified", "12Q", "0"), ("Unified", "-4M", "0-3"), ("Unified", "99999999999999G", "0,1"),
                               ("Unified", "", "0")])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(CacheSizes.read(directory: path) == CacheSizes.fallback)
    }

    @Test func theRunningMachineReportsPlausibleSizes() {
        let caches = CacheSizes.running
        #expect(caches.perCore >= 1 << 10 && caches.shared >= caches.perCore)
    }

    /// The default softmax follows the cache rule: reload while every thread's two rows of
    /// exponentials fit a quarter of the last-level cache, two-pass otherwise and for split rows.
    @Test func defaultSoftmaxFollowsTheCaches() {
        let small = CacheSizes(perCore: 1 << 20, shared: 32 << 20)
        let large = CacheSizes(perCore: 1 << 20, shared: 128 << 20)
        ExecutionScope(threads: 2, generator: RandomGenerator(seed: 0)).run {
            #expect(SoftmaxAlgorithm.fastest(rows: 4096, length: 4096, caches: small) == .threePassReload)
            #expect(SoftmaxAlgorithm.fastest(rows: 8, length: 1 << 18, caches: small) == .threePassReload)
            // 16 MiB of scratch: more than a quarter of 32 MiB, not of 128 MiB.
            #expect(SoftmaxAlgorithm.fastest(rows: 64, length: 1 << 20, caches: small) == .twoPass)
            #expect(SoftmaxAlgorithm.fastest(rows: 8, length: 1 << 20, caches: large) == .threePassReload)
            #expect(SoftmaxAlgorithm.fastest(rows: 64, length: 1 << 23, caches: small) == .twoPass)
            #expect(SoftmaxAlgorithm.fastest(rows: 1, length: 1 << 20, caches: large) == .twoPass)
        }
        ExecutionScope(threads: 1, generator: RandomGenerator(seed: 0)).run {
            #expect(SoftmaxAlgorithm.fastest(rows: 1, length: 1 << 20, caches: small) == .threePassReload)
            #expect(SoftmaxAlgorithm.fastest(rows: 4, length: 1 << 23, caches: small) == .twoPass)
        }
    }
}
