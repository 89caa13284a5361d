import Foundation
import Testing

/// PyTorch `lr_scheduler` values written by `scripts/fixtures/make_schedules.py`: each case is a
/// Kiln schedule spec and the learning rates PyTorch uses at steps 0, 1, 2, ...; each plateau
/// case is `ReduceLROnPlateau`'s settings, its metrics and the learning rate after each.
enum ScheduleFixtures {
    struct Case: Decodable {
        let spec: String
        let values: [Double]
    }

    struct Plateau: Decodable {
        struct Settings: Decodable {
            let mode: String
            let factor: Double
            let patience: Int
            let threshold: Double
            let threshold_mode: String
            let cooldown: Int
            let min_lr: Double
            let eps: Double
        }

        let settings: Settings
        let metrics: [Double]
        let values: [Double]
    }

    private struct File: Decodable {
        let cases: [Case]
        let plateau: [Plateau]
    }

    /// The cases of `Fixtures/schedules.json`.
    static func cases() -> [Case] { file().cases }

    /// The `ReduceLROnPlateau` cases of `Fixtures/schedules.json`.
    static func plateaus() -> [Plateau] { file().plateau }

    private static func file() -> File {
        guard let url = Bundle.module.url(forResource: "schedules", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else {
            fatalError("fixture schedules.json is missing or malformed")
        }
        return file
    }
}
