import Foundation
import Testing

/// PyTorch `lr_scheduler` values written by `scripts/fixtures/make_schedules.py`: each case is a
/// Kiln schedule spec and the learning rates PyTorch uses at steps 0, 1, 2, ...
enum ScheduleFixtures {
    struct Case: Decodable {
        let spec: String
        let values: [Double]
    }

    private struct File: Decodable {
        let cases: [Case]
    }

    /// The cases of `Fixtures/schedules.json`.
    static func cases() -> [Case] {
        guard let url = Bundle.module.url(forResource: "schedules", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else {
            fatalError("fixture schedules.json is missing or malformed")
        }
        return file.cases
    }
}
