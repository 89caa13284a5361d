/// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017; PyTorch's
/// `CosineAnnealingWarmRestarts`).
///
/// The first cycle lasts `period` steps and each next one `periodMultiplier` times longer. Inside a
/// cycle of length `Tᵢ`, `t` steps after its restart, the value is
/// `floor + (peak − floor) · (1 + cos(π · t / Tᵢ)) / 2`; at a restart it jumps back to `peak`.
public struct CosineWarmRestarts: Schedule {
    /// The value at each restart.
    public let peak: Double
    /// The value approached at the end of each cycle.
    public let floor: Double
    /// Length of the first cycle in steps (`T_0`).
    public let period: Int
    /// Growth factor of the cycle length (`T_mult`).
    public let periodMultiplier: Int

    /// Restarts at `peak` every cycle; the first cycle lasts `period` steps, each next
    /// `periodMultiplier` times longer.
    public init(peak: Double, floor: Double = 0, period: Int, periodMultiplier: Int = 1) {
        precondition(period > 0, "CosineWarmRestarts: period \(period) must be positive")
        precondition(periodMultiplier >= 1, "CosineWarmRestarts: periodMultiplier \(periodMultiplier) must be at least 1")
        self.peak = peak
        self.floor = floor
        self.period = period
        self.periodMultiplier = periodMultiplier
    }

    public func value(at step: Int) -> Double {
        var sinceRestart = step
        var cycle = period
        if periodMultiplier == 1 {
            sinceRestart = step % period
        } else {
            while sinceRestart >= cycle {
                sinceRestart -= cycle
                let (next, overflow) = cycle.multipliedReportingOverflow(by: periodMultiplier)
                cycle = overflow ? .max : next  // a cycle is at most Int.max steps, longer than any run
            }
        }
        return floor + (peak - floor) * cosineFall(Double(sinceRestart) / Double(cycle))
    }
}
