import Foundation
import Kiln
import KilnTestSupport

/// This target's fixtures (`Tests/KilnTests/Fixtures/*.json`).
enum Fixtures {
    static func load(_ file: String) -> [String: Tensor] { FixtureFile.load(file, from: .module) }
}
