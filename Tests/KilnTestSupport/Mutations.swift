import Foundation
import Kiln

/// Damaged copies of a valid file, for tests that a reader returns or throws but never traps.
public enum Mutations {
    /// Calls `body` with every prefix of `data` shorter than `prefixLimit` bytes, then with
    /// `count` copies in which one to four random bytes are replaced (by random or boundary
    /// values such as 0x00, 0x7F, 0x80, 0xFF), a byte is inserted, or a byte is deleted.
    public static func forEach(of data: Data, count: Int, seed: UInt64, prefixLimit: Int = 4096, _ body: (Data) -> Void) {
        for length in 0..<min(data.count, prefixLimit) { body(data.prefix(length)) }
        guard !data.isEmpty else { return }
        var generator = RandomGenerator(seed: seed)
        let boundaries: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x22, 0x2C, 0x0A]
        for _ in 0..<count {
            var mutated = data
            let position = Int.random(in: 0..<data.count, using: &generator)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: mutated.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            case 1: mutated.remove(at: position)
            default:
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let value = Bool.random(using: &generator) ? UInt8.random(in: 0...255, using: &generator)
                                                              : boundaries[Int.random(in: 0..<boundaries.count, using: &generator)]
                    mutated[Int.random(in: 0..<data.count, using: &generator)] = value
                }
            }
            body(mutated)
        }
    }
}
