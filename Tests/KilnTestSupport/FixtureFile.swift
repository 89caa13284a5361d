import Foundation
import Kiln

/// Reference tensors computed once by the scripts in `scripts/fixtures/` (NumPy or PyTorch)
/// and committed as JSON: `{"name": {"shape": [..], "dtype": "float32", "data": [..]}, ...}`.
public enum FixtureFile {
    /// The tensors of `Fixtures/<file>.json` in `bundle` (a test target's `Bundle.module`).
    public static func load(_ file: String, from bundle: Bundle) -> [String: Tensor] {
        guard let url = bundle.url(forResource: file, withExtension: "json", subdirectory: "Fixtures"),
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
