import Kiln
import Testing

@Suite struct NumberTextTests {
    @Test func readsWhatTheStandardInitializersRead() {
        for text in ["1", "-2.5", "1e-3", "0x1p-2", "inf", "nan", "1e39"] {
            #expect(Double(wholeText: text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
            #expect(Float(wholeText: text)?.bitPattern == Float(text)?.bitPattern, "\(text)")
        }
        #expect(Double(wholeText: "0.1"[...]) == 0.1)
        #expect(Double(wholeText: "") == nil && Float(wholeText: "1 2") == nil)
    }

    @Test func refusesTextWithNUL() {
        // The standard initializers stop at the NUL and read 1.
        #expect(Double("1\u{0}2") == 1)
        #expect(Double(wholeText: "1\u{0}2") == nil)
        #expect(Float(wholeText: "1\u{0}") == nil)
        #expect(Double(wholeText: "\u{0}") == nil)
    }
}
