/// The same value at every step.
public struct ConstantSchedule: Schedule {
    /// The value.
    public let value: Double

    /// A schedule that is `value` at every step.
    public init(_ value: Double) {
        self.value = value
    }

    public func value(at step: Int) -> Double { value }
}
