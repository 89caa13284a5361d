@testable import Kiln
import Testing

/// Freed blocks are kept by size class up to the cache's limit and handed back on `trim`.
@Suite struct BlockCacheTests {
    @Test func keepsFreedBlocksForReuseAndTrimsThem() {
        let cache = BlockCache()
        let (block, capacity) = cache.allocate(3 << 20)
        #expect(capacity >= 3 << 20 && capacity <= (3 << 20) + (3 << 20) / 8)
        cache.release(block, capacity: capacity)
        #expect(cache.bytesCached == capacity)
        // The next request in the same size class gets the same block back.
        let (again, capacityAgain) = cache.allocate((3 << 20) - 100)
        #expect(again == block && capacityAgain == capacity && cache.bytesCached == 0)
        cache.release(again, capacity: capacityAgain)
        cache.trim()
        #expect(cache.bytesCached == 0)
    }

    @Test func smallBlocksAreNotKept() {
        let cache = BlockCache()
        let (block, capacity) = cache.allocate(1000)
        #expect(capacity == 1000)
        cache.release(block, capacity: capacity)
        #expect(cache.bytesCached == 0)
    }
}
