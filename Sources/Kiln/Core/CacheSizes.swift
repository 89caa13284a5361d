import Foundation

/// The running machine's data caches, which memory-bound kernels use to choose how to walk their data.
///
/// Read once per process from Linux's `/sys/devices/system/cpu/cpu0/cache`; where that is missing or
/// unreadable, the sizes of the x86-64 parts Kiln is measured on stand in (1 MiB per core, 32 MiB shared).
public struct CacheSizes: Sendable, Equatable {
    /// Bytes of the largest cache private to one core (usually L2).
    public let perCore: Int
    /// Bytes of the last-level cache, shared by the cores.
    public let shared: Int

    /// Sizes given directly.
    public init(perCore: Int, shared: Int) {
        self.perCore = perCore
        self.shared = shared
    }

    /// The sizes used when the machine does not report its own.
    public static let fallback = CacheSizes(perCore: 1 << 20, shared: 32 << 20)

    /// This machine's caches.
    public static let running = read(directory: "/sys/devices/system/cpu/cpu0/cache")

    /// The caches described by a sysfs folder of `index*` entries (each with `level`, `type`, `size`,
    /// `shared_cpu_list`); the fallback for whatever the folder does not tell.
    public static func read(directory: String) -> CacheSizes {
        var perCore = 0, shared = 0
        for index in 0..<8 {
            let entry = "\(directory)/index\(index)/"
            func text(_ name: String) -> String? {
                (try? String(contentsOfFile: entry + name, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let type = text("type"), type != "Instruction", let bytes = text("size").flatMap(parseSize) else { continue }
            let cpus = text("shared_cpu_list") ?? ""
            let sharedByCores = cpus.contains(",") || cpus.contains("-")
            if sharedByCores { shared = max(shared, bytes) } else { perCore = max(perCore, bytes) }
        }
        return CacheSizes(perCore: perCore > 0 ? perCore : fallback.perCore,
                          shared: shared > 0 ? shared : max(fallback.shared, perCore))
    }

    /// Bytes of a sysfs size such as `32K`, `1024K` or `32M`; `nil` for anything else or a size
    /// outside 1 KiB...1 TiB.
    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var digits = Substring(text), unit = 1
        if let last = text.last, let u = units[last] { digits = text.dropLast(); unit = u }
        guard let value = Int(digits), value > 0, value <= (1 << 40) / unit else { return nil }
        let bytes = value * unit
        return bytes >= 1 << 10 ? bytes : nil
    }
}
