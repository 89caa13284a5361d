#!/usr/bin/env python3
"""Dequantizes a file of `kiln lab quantize --save` with NumPy alone and checks it against the float model.

    scripts/lab/dequantize.py QUANTIZED.safetensors CHECKPOINT.safetensors [OUT.safetensors]

Follows the layout documented on QuantizedModelFile: each quantized weight NAME is stored as
NAME.codes (I8, or U8 with 4-bit codes packed two per byte, the even column in the low nibble),
NAME.shape, NAME.scales, NAME.zero_points (asymmetric grids) and NAME.input_scales (AWQ);
w = scale * (code - zero_point), then sign(w)|w|^(1/power) under NUPES and w / s column by column
under AWQ. Prints, per weight, the largest difference from the checkpoint's float weight against
half a step (the bound of round to nearest, which AWQ and NUPES need not meet), and writes the
dequantized float state dictionary to OUT when given (loadable with torch's load_state_dict).
"""
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def dequantize(path):
    with safe_open(path, "np") as f:
        meta = f.metadata() or {}
    if meta.get("quantization") != "kiln-int/1":
        sys.exit(f"{path}: not a quantized model file")
    bits, symmetric = int(meta["quantization.bits"]), meta["quantization.grid"] == "symmetric"
    power = float(meta["quantization.power"]) if "quantization.power" in meta else None
    tensors = load_file(path)
    state, steps = {}, {}
    for name in [k[: -len(".codes")] for k in tensors if k.endswith(".codes")]:
        rows, columns = (int(x) for x in tensors[name + ".shape"])
        stored = tensors[name + ".codes"]
        if bits == 4:
            low, high = stored & 0xF, stored >> 4
            codes = np.stack([low, high], axis=-1).reshape(rows, -1)[:, :columns].astype(np.int32)
            if symmetric:
                codes = np.where(codes >= 8, codes - 16, codes)
        else:
            codes = stored.astype(np.int32)
        scales = tensors[name + ".scales"].astype(np.float32).reshape(-1, 1)
        zeros = tensors[name + ".zero_points"].astype(np.int32).reshape(-1, 1) if not symmetric else 0
        w = scales * (codes - zeros).astype(np.float32)
        if power is not None:
            w = np.sign(w) * np.abs(w) ** np.float32(1 / power)
        if name + ".input_scales" in tensors:
            w = w / tensors[name + ".input_scales"]
        state[name], steps[name] = w.astype(np.float32), scales.max()
    suffixes = (".codes", ".shape", ".scales", ".zero_points", ".input_scales")
    state.update({k: v for k, v in tensors.items() if not k.endswith(suffixes)})
    return meta, state, steps


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    meta, state, steps = dequantize(sys.argv[1])
    floats = {k[len("model."):]: v for k, v in load_file(sys.argv[2]).items() if k.startswith("model.")}
    print(f"{meta['quantization.method']} int{meta['quantization.bits']} {meta['quantization.groups']} {meta['quantization.grid']}")
    for name in sorted(steps):
        difference = np.abs(state[name] - floats[name]).max()
        print(f"{name:32s} max |w - float| {difference:.3g}  (half the largest step {steps[name] / 2:.3g})")
    others = [k for k in state if k not in steps]
    assert all(np.array_equal(state[k], floats[k]) for k in others), "a float tensor differs from the checkpoint"
    print(f"{len(others)} float tensors equal the checkpoint's")
    if len(sys.argv) == 4:
        save_file(state, sys.argv[3])
        print(f"wrote {sys.argv[3]}")


if __name__ == "__main__":
    main()
