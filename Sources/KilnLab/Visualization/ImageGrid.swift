import Foundation
import Kiln
import KilnData

/// A grid of grayscale images as one PNG: rows of equally sized tiles, each pixel scaled from a
/// value range to 0…255 (values outside it saturate), enlarged by an integer factor, with a grey gap
/// between tiles.
public enum ImageGrid {
    /// The PNG of `rows` of images (each of shape `[..., H, W]` with one channel, all the same size),
    /// mapping `range` to black…white, each pixel drawn as a `scale × scale` block, tiles `gap` pixels apart.
    /// - Precondition: at least one tile, rows of equal length, tiles of one size and `scale ≥ 1`, `gap ≥ 0`.
    public static func png(_ rows: [[Tensor]], range: ClosedRange<Float>, scale: Int = 3, gap: Int = 2) -> Data {
        precondition(scale >= 1 && gap >= 0 && range.upperBound > range.lowerBound, "ImageGrid: scale \(scale), gap \(gap), range \(range)")
        guard let first = rows.first?.first, first.rank >= 2 else { preconditionFailure("ImageGrid: no tiles or tiles of rank < 2") }
        let (h, w) = (first.shape[first.rank - 2], first.shape[first.rank - 1])
        let columns = rows[0].count
        precondition(rows.allSatisfy { $0.count == columns }, "ImageGrid: rows of different lengths")
        let tileHeight = h * scale, tileWidth = w * scale
        let width = columns * tileWidth + (columns + 1) * gap, height = rows.count * tileHeight + (rows.count + 1) * gap
        var pixels = [UInt8](repeating: 128, count: width * height)
        let span = range.upperBound - range.lowerBound
        for (r, row) in rows.enumerated() {
            for (c, tile) in row.enumerated() {
                precondition(tile.count == h * w && tile.shape.suffix(2).elementsEqual([h, w]),
                             "ImageGrid: tile of shape \(tile.shape) in a grid of \(h) × \(w) images")
                let values = tile.scalars
                let top = gap + r * (tileHeight + gap), left = gap + c * (tileWidth + gap)
                for y in 0..<tileHeight {
                    for x in 0..<tileWidth {
                        let v = (values[(y / scale) * w + x / scale] - range.lowerBound) / span
                        pixels[(top + y) * width + left + x] = UInt8((Swift.min(Swift.max(v, 0), 1) * 255).rounded())
                    }
                }
            }
        }
        return PNG.grayscale(pixels, width: width, height: height)
    }
}
