import Foundation
@testable import KilnTrain
import Testing

@Suite struct ScatterPlotTests {
    @Test func predictedAgainstTrueSharesOneScaleAndDrawsEveryFinitePoint() {
        // Values from 0 to 10, padded by 5% (0.5) on each side: 11 units over the 360 − 64 − 16 = 280 pixel square.
        let svg = SVGPlot.predictedVersusTrue([(0, 0), (10, 5), (4, .nan)], title: "P", size: 360)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "class=\"point\"").count - 1 == 2)
        // (0, 0) sits on the diagonal: x = 64 + 0.5/11·280, y = 32 + 280 − 0.5/11·280.
        #expect(svg.contains("cx=\"76.7\" cy=\"299.3\""))
        // (10, 5): x = 64 + 10.5/11·280, y = 312 − 5.5/11·280.
        #expect(svg.contains("cx=\"331.3\" cy=\"172.0\""))
        #expect(svg.contains("stroke-dasharray"))
        #expect(SVGPlot.predictedVersusTrue([], title: "e").contains("no data"))
    }

    @Test func aTickAtZeroIsNeverMinusZero() {
        let ticks = AxisTicks.linear(-300, 4100)
        #expect(ticks.contains(0) && !AxisTicks.labels(ticks, resolution: ticks[1] - ticks[0]).contains("-0"))
    }
}
