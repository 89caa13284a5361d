import Foundation
import KilnNN
import KilnTestSupport

/// This target's fixtures (`Tests/KilnNNTests/Fixtures/*.json`, written by `scripts/fixtures/`).
enum Fixtures {
    static func load(_ file: String) -> [String: Tensor] { FixtureFile.load(file, from: .module) }
}
