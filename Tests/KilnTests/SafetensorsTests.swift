import Foundation
import Kiln
import Testing

/// Hostile safetensors files, each refused with a line that names the problem.
@Suite struct SafetensorsTests {
    /// A file image: the header length, `header` padded to 8 bytes, then `data`.
    func file(_ header: String, data: [UInt8] = []) -> Data {
        var json = Array(header.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        return file(headerLength: UInt64(json.count), rest: json + data)
    }

    func file(headerLength: UInt64, rest: [UInt8]) -> Data {
        withUnsafeBytes(of: headerLength.littleEndian) { Data($0) } + Data(rest)
    }

    /// The reason `data` is refused, or nil when it decodes.
    func reason(_ data: Data) -> String? {
        do {
            _ = try Safetensors.decode(data, path: "h.safetensors")
            return nil
        } catch {
            #expect(error.description == "h.safetensors: \(error.reason)" && !error.reason.contains("\n"))
            return error.reason
        }
    }

    let floats: [UInt8] = Array(repeating: 0, count: 8)

    @Test func wellFormedFileDecodes() throws {
        let data = file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}"#, data: floats)
        let contents = try Safetensors.decode(data, path: "h")
        #expect(contents.tensors["a"]?.scalars == [0, 0] && contents.metadata == ["k": "v"])
    }

    @Test func headerLengthOf2To63IsRefused() {
        let text = reason(file(headerLength: 1 << 63, rest: Array("{}".utf8)))
        #expect(text?.contains("header length 9223372036854775808 at byte 0 exceeds the limit") == true)
        #expect(reason(file(headerLength: .max, rest: [])) != nil)
    }

    @Test func headerLongerThanTheFileIsTruncated() {
        #expect(reason(file(headerLength: 100, rest: Array("{}".utf8)))?.contains("truncated: header of 100 bytes") == true)
    }

    @Test func headerMustBeAJSONObject() {
        #expect(reason(file("[1, 2]"))?.contains("not a JSON object") == true)
        #expect(reason(file("{\"a\": "))?.contains("not a JSON object") == true)
    }

    @Test func shapeWhoseProductOverflowsIsRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: floats))
        #expect(text == "tensor 'a': shape [4611686018427387904, 4]: element count overflows a 64-bit integer")
    }

    @Test func negativeDimensionIsRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[-2,-1],"data_offsets":[0,8]}}"#, data: floats))
        #expect(text == "tensor 'a': shape [-2, -1]: negative dimension -2")
    }

    @Test func nonIntegerShapesAndOffsetsAreRefused() {
        #expect(reason(file(#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, data: floats))?.contains("shape is not a list of integers") == true)
        #expect(reason(file(#"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, data: floats))?.contains("shape is not a list of integers") == true)
        #expect(reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551615]}}"#, data: floats))?
            .contains("data_offsets is not a pair of integers") == true)
    }

    @Test func offsetsBeyondTheFileAreRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: floats))
        #expect(text == "tensor 'a': data bytes 0..<16 lie outside the 8 data bytes (truncated?)")
    }

    @Test func offsetsThatOverflowAreRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[9223372036854775800,9223372036854775807]}}"#, data: floats))
        #expect(text?.contains("7 data bytes for shape [2] of F32") == true)
    }

    @Test func byteCountMustMatchShapeTimesDtype() {
        let text = reason(file(#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, data: floats))
        #expect(text == "tensor 'a': 8 data bytes for shape [2] of F64")
    }

    @Test func overlappingTensorsAreRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                               data: floats))
        #expect(text?.contains("overlap another tensor's before byte 8") == true)
    }

    @Test func gapBetweenTensorsIsRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}"#,
                               data: floats))
        #expect(text == "tensor 'b': data bytes 6..<8 leave a gap after byte 4")
    }

    @Test func trailingBytesAreRefused() {
        let text = reason(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: floats))
        #expect(text?.hasPrefix("4 trailing bytes after the last tensor at byte ") == true)
    }

    @Test func duplicateTensorNamesAreRefused() {
        let text = reason(file(#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#,
                               data: floats))
        #expect(text?.hasPrefix("header key 'a' appears twice") == true)
        let escaped = reason(file(#"{"ab":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"a\u0062":{"dtype":"U8","shape":[0],"data_offsets":[8,8]}}"#,
                                  data: floats))
        #expect(escaped?.hasPrefix("header key 'ab' appears twice") == true)
    }

    @Test func metadataMustMapStringsToStrings() {
        let number = reason(file(#"{"__metadata__":{"step":7}}"#))
        #expect(number == "'__metadata__' is not a map of strings to strings")
        #expect(reason(file(#"{"__metadata__":"x"}"#)) == "'__metadata__' is not a map of strings to strings")
    }

    @Test func emptyNamesAndUnknownFieldsAndDtypesAreRefused() {
        #expect(reason(file(#"{"":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#, data: floats)) == "a tensor has an empty name")
        #expect(reason(file(#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8],"x":1}}"#, data: floats)) == "tensor 'a': unknown header field 'x'")
        #expect(reason(file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: floats)) == "tensor 'a': unsupported dtype C64")
    }

    @Test func writerRefusesNamesNoReaderCouldTellApart() {
        let error = #expect(throws: TensorFileError.self) {
            try Safetensors.encode(["__metadata__": Tensor([1, 2] as [Float])], path: "w.safetensors")
        }
        #expect(error?.description == "w.safetensors: cannot write a tensor named '__metadata__'")
        #expect(throws: TensorFileError.self) { try Safetensors.encode(["": Tensor([1] as [Float])], path: "w") }
    }

    @Test func emptyAndZeroSizedTensorsRoundTrip() throws {
        let tensors = ["empty": Tensor(zeros: [0, 3]), "b": Tensor([true]), "scalar": Tensor(Float(2.5))]
        let back = try Safetensors.decode(Safetensors.encode(tensors, path: "r"), path: "r")
        #expect(back.tensors["empty"]?.shape == [0, 3] && back.tensors["b"]?.booleans == [true])
        #expect(back.tensors["scalar"]?.shape == [] && back.tensors["scalar"]?.scalars == [2.5])
    }
}
