import Foundation
import KilnOptimizers

/// A run's learning-rate schedule: one of the named schedules sized to the run, or any
/// ``ScheduleSpec`` taken as written (`cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200`).
///
/// A name is checked when the choice is made; a spec's family too, and its fields when the run
/// builds it (``make(peak:steps:)``), so a stored setting never needs the files a spec reads.
public struct ScheduleChoice: Equatable, Sendable, Codable, CustomStringConvertible {
    /// The schedules that take their peak from the learning rate and their length from the run.
    public enum Sized: String, NamedChoice {
        /// To 0 over all steps, as PyTorch's `CosineAnnealingLR`.
        case cosine
        case constant, linear
        /// Warm-up, stable, then the last 20 % decaying.
        case wsd
        case onecycle

        public static let setting = "schedule"

        /// The spec of this schedule for a run of `steps` steps peaking at `peak`.
        public func spec(peak: Double, steps: Int) -> String {
            switch self {
            case .cosine: "cosine:peak=\(peak),steps=\(steps)"
            case .constant: "constant:peak=\(peak)"
            case .linear: "linear:peak=\(peak),steps=\(steps)"
            case .wsd: "wsd:peak=\(peak),steps=\(steps),decay=0.2"
            case .onecycle: "onecycle:peak=\(peak),steps=\(steps)"
            }
        }
    }

    /// The setting as written: a name of ``Sized`` or a spec.
    public let text: String

    /// The named schedule, or nil for a spec.
    public var sized: Sized? { Sized(rawValue: text) }

    /// A named schedule sized to the run.
    public init(_ sized: Sized) { text = sized.rawValue }

    /// The schedule `text` names or specifies; an error when it is neither a name nor starts with
    /// a spec family.
    public init(_ text: String) throws(ChoiceError) {
        let family = String(text.prefix { $0 != ":" }).trimmingCharacters(in: .whitespaces).lowercased()
        guard Sized(rawValue: text) != nil || ScheduleFamily(rawValue: family) != nil else {
            throw ChoiceError(setting: Sized.setting, value: text, valid: Sized.names,
                              otherwise: "a spec family:key=value,... with family one of \(ScheduleSpec.families.joined(separator: ", "))")
        }
        self.text = text
    }

    /// Cosine annealing to 0 over the run.
    public static let cosine = ScheduleChoice(.cosine)

    /// The schedule of a run of `steps` steps with learning rate `peak`; a spec's own fields are
    /// checked here.
    public func make(peak: Double, steps: Int) throws(ScheduleSpecError) -> AnySchedule {
        try ScheduleSpec.parse(sized?.spec(peak: peak, steps: steps) ?? text)
    }

    public var description: String { text }

    /// Decodes a string, a schedule name or a spec, checked as when the choice is made from text.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
