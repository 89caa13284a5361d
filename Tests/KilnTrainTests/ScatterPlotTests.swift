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

    @Test func scatterPanelsShareTheYScaleAndDrawEveryFinitePoint() {
        let panels = [SVGPlot.Panel(title: "a", points: [(1, 0.5), (2, 0.9), (.nan, 0.7)]),
                      SVGPlot.Panel(title: "b", points: [(1, 0.9), (3, 0.5)])]
        let svg = SVGPlot.scatterPanels(panels, title: "T", xLabel: "rank", yLabel: "accuracy", columns: 2)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.components(separatedBy: "class=\"point\"").count - 1 == 4)
        // y from 0.5 to 0.9, padded by 0.02: 0.5 sits 0.02/0.44 of the 200-pixel cell above its
        // bottom edge (y = 44 + 22 + 200 = 266) in both panels, which start at x = 44 and 302.
        #expect(svg.contains("cy=\"256.9\""))
        #expect(svg.components(separatedBy: "cy=\"256.9\"").count - 1 == 2)
        #expect(svg.contains("x=\"302.0\" y=\"66.0\""))
        #expect(SVGPlot.scatterPanels([], title: "e", xLabel: "x", yLabel: "y").contains("no data"))
    }

    @Test func aTickAtZeroIsNeverMinusZero() {
        let ticks = AxisTicks.linear(-300, 4100)
        #expect(ticks.contains(0) && !AxisTicks.labels(ticks, resolution: ticks[1] - ticks[0]).contains("-0"))
    }
}
