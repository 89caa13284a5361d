import Foundation
import Kiln

/// Reference tensors computed once by the scripts in `scripts/fixtures/` (NumPy or PyTorch)
/// and committed as JSON: `{"name": {"shape": [..], "data": [..]}, ...}`.
enum Fixtures {
    /// The tensors of fixture file `Fixtures/<file>.json`; integer data stays integer when `dtype` is "int64".
    static func load(_ file: String) -> [String: Tensor] {
        guard let url = Bundle.module.url(forResource: file, withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else {
            fatalError("fixture \(file).json is missing or malformed")
        }
        var tensors: [String: Tensor] = [:]
        for (name, entry) in object {
            let shape = (entry["shape"] as? [NSNumber] ?? []).map(\.intValue)
            let values = entry["data"] as? [NSNumber] ?? []
            switch entry["dtype"] as? String {
            case "int64": tensors[name] = Tensor(values.map(\.intValue), shape: shape)
            case "bool": tensors[name] = Tensor(values.map(\.boolValue), shape: shape)
            default: tensors[name] = Tensor(values.map(\.floatValue), shape: shape)
            }
        }
        return tensors
    }
}
