import KilnDistributed
import KilnTestSupport
import Testing

@Suite struct SingleProcessCommunicatorTests {
    let communicator = SingleProcessCommunicator()

    @Test func isRankZeroOfOneAndLeads() {
        #expect(communicator.rank == 0)
        #expect(communicator.size == 1)
        #expect(communicator.isLead)
    }

    @Test func reductionsReturnTheValuesOfTheOnlyProcess() throws {
        var floats: [Float] = [1.5, -2, 3e-8]
        try communicator.allReduce(&floats, .sum)
        #expect(floats == [1.5, -2, 3e-8])
        try communicator.allReduce(&floats, .mean)
        #expect(floats == [1.5, -2, 3e-8])
        var doubles: [Double] = [0.1, 1e300]
        try communicator.allReduce(&doubles, .mean)
        #expect(doubles == [0.1, 1e300])
        let tensor = testTensor([2, 3])
        let reduced = try communicator.allReduce(tensor, .mean)
        #expect(reduced.shape == [2, 3])
        #expect(reduced.scalars == tensor.scalars)
    }

    @Test func broadcastFromRankZeroKeepsTensorsOfEveryType() throws {
        let floats = testTensor([3, 2]), integers = Tensor([4, -7, 9] as [Int]), flags = Tensor([true, false])
        #expect(try communicator.broadcast(floats).scalars == floats.scalars)
        #expect(try communicator.broadcast(integers).integers == [4, -7, 9])
        #expect(try communicator.broadcast(flags).booleans == [true, false])
        var state: [UInt64] = [7, 1 << 40]
        try communicator.broadcast(&state, from: 0)
        #expect(state == [7, 1 << 40])
    }

    @Test func allGatherStacksTheOneProcesssValues() throws {
        #expect(try communicator.allGather(UInt64(0xdead_beef)) == [0xdead_beef])
        let tensor = testTensor([2, 2])
        let gathered = try communicator.allGather(tensor)
        #expect(gathered.shape == [1, 2, 2])
        #expect(gathered.scalars == tensor.scalars)
        try communicator.barrier()
    }
}
