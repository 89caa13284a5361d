#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: Fuzz/Corpus/<target>/<seed>.

A few small, valid (or nearly valid) files per reader, from which libFuzzer mutates. Uses only
the Python standard library, so the seeds are the same wherever they are made. Running it again
rewrites exactly the same files.
"""
import gzip
import io
import json
import os
import shutil
import struct
import zipfile
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fuzz", "Corpus")


def safetensors(tensors, metadata=None):
    """tensors: list of (name, dtype, shape, raw bytes), laid out in order."""
    header, offset, blob = {}, 0, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blob += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def npy(descr, shape, raw, fortran=False, version=(1, 0)):
    shape_text = "()" if not shape else ("(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")")
    header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape_text}, }}"
    length_size = 2 if version == (1, 0) else 4
    total = 6 + 2 + length_size + len(header) + 1
    header += " " * (-total % 64) + "\n"
    length = struct.pack("<H" if length_size == 2 else "<I", len(header))
    return b"\x93NUMPY" + bytes(version) + length + header.encode("latin1") + raw


def npz(arrays, compressed):
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in arrays:
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


def idx(shape, values):
    return b"\x00\x00\x08" + bytes([len(shape)]) + b"".join(struct.pack(">I", n) for n in shape) + bytes(values)


def gz(data):
    # mtime 0 keeps the bytes the same on every run.
    return gzip.compress(data, mtime=0)


def deflate(data):
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def seeds():
    f32 = struct.pack("<6f", 1.0, -2.0, 0.5, 3.25, -0.0, 7.0)
    i64 = struct.pack("<3q", 0, -1, 1 << 40)
    yield "safetensors", "two.safetensors", safetensors(
        [("weight", "F32", [2, 3], f32), ("index", "I64", [3], i64)], {"format": "pt"})
    yield "safetensors", "types.safetensors", safetensors(
        [("h", "F16", [2], struct.pack("<2H", 0x3C00, 0xC000)), ("b", "BF16", [2], struct.pack("<2H", 0x3F80, 0x4000)),
         ("d", "F64", [1], struct.pack("<d", 1.5)), ("u", "U8", [2], b"\x01\xff"), ("t", "BOOL", [2], b"\x00\x01")])
    yield "safetensors", "empty_and_scalar.safetensors", safetensors(
        [("empty", "F32", [0, 4], b""), ("scalar", "I32", [], struct.pack("<i", 42))])

    yield "npy", "float32_2x3.npy", npy("<f4", [2, 3], f32)

    def quantized(method, bits, grid, groups, codes_dtype, codes_shape, codes, extra=(), power=None):
        """A quantized model file of one [2, 3] weight `l.weight` beside a float bias `l.bias`."""
        rows = 2 if groups == "per_channel" else 1
        metadata = {"quantization": "kiln-int/1", "quantization.method": method, "quantization.bits": str(bits),
                    "quantization.groups": groups, "quantization.grid": grid}
        if power is not None:
            metadata["quantization.power"] = power
        return safetensors([("l.bias", "F32", [2], struct.pack("<2f", 0.5, -1.0)),
                            ("l.weight.codes", codes_dtype, codes_shape, codes),
                            ("l.weight.scales", "F32", [rows], struct.pack("<%df" % rows, *[0.25] * rows)),
                            ("l.weight.shape", "I64", [2], struct.pack("<2q", 2, 3))] + list(extra), metadata)
    yield "quantized", "rtn_int8.safetensors", quantized("rtn", 8, "symmetric", "per_channel", "I8", [2, 3],
                                                         struct.pack("<6b", 1, -2, 127, -127, 0, 5))
    yield "quantized", "awq_int4_asymmetric.safetensors", quantized(
        "awq", 4, "asymmetric", "per_tensor", "U8", [2, 2], bytes([0x21, 0x0F, 0xF3, 0x07]),
        [("l.weight.input_scales", "F32", [3], struct.pack("<3f", 1.0, 2.0, 0.5)), ("l.weight.zero_points", "U8", [1], b"\x08")])
    yield "quantized", "nupes_int4.safetensors", quantized("nupes", 4, "symmetric", "per_channel", "U8", [2, 2],
                                                           bytes([0x9F, 0x07, 0x12, 0x0E]), power="0.5")
    yield "npy", "int64_vector.npy", npy("<i8", [3], i64)
    yield "npy", "big_endian_fortran.npy", npy(">f8", [2, 2], struct.pack(">4d", 1, 2, 3, 4), fortran=True)
    yield "npy", "scalar_v2.npy", npy("|u1", [], b"\x07", version=(2, 0))
    yield "npy", "bool.npy", npy("|b1", [4], b"\x00\x01\x01\x00")

    arrays = [("x", npy("<f4", [2, 3], f32)), ("y", npy("<i8", [3], i64))]
    yield "npz", "stored.npz", npz(arrays, compressed=False)
    yield "npz", "deflated.npz", npz(arrays, compressed=True)
    yield "npz", "one_array.npz", npz([("scalar", npy("<f8", [], struct.pack("<d", 2.5)))], compressed=True)

    yield "idx", "labels.idx", idx([5], [0, 3, 9, 1, 2])
    yield "idx", "images.idx", idx([2, 3, 3], range(18))
    yield "idx", "labels.idx.gz", gz(idx([4], [7, 7, 0, 1]))
    yield "idx", "images.idx.gz", gz(idx([1, 2, 2], [0, 128, 255, 64]))

    text = b"step,loss\n0,2.5\n1,2.25\n" * 4
    yield "gzip", "text.gz", gz(text)
    yield "gzip", "empty.gz", gz(b"")
    yield "gzip", "raw.deflate", deflate(text)
    yield "gzip", "raw_stored.deflate", zlib.compressobj(0, zlib.DEFLATED, -15).compress(b"abc") + b"\x03\x00"

    yield "csv", "numbers.csv", b"a,b,label\n1,2,0\n3.5,-4e2,1\n0,0,2\n"
    yield "csv", "names.csv", b"\xef\xbb\xbfsepal,petal,label\r\n5.1,1.4,setosa\r\n7.0,4.7,versicolor\r\n"
    yield "csv", "quoted.csv", b'"x, first","label",y\n1,"a ""b""",2\n\n3,"two\nlines",4\n'
    yield "csv", "label_first.csv", b"label,f\n9,1e-3\n"

    yield "settings", "full.yaml", b"""model: mlp
epochs: 3
batch_size: 64
lr: 1.0e-3
weight_decay: 0.01
label_smoothing: 0.0
optimizer: adamw
schedule: cosine:peak=1e-3,steps=100,warmup=10
activation: gelu
augment: none
test_time_flip: false
seed: 7
threads: 2
out: runs
name: small
data:
  path: iris.csv
  label_column: species
  test_fraction: 0.25
"""
    yield "settings", "settings.json", json.dumps(
        {"model": "cnn", "epochs": 1, "lr": 0.002, "threads": None,
         "data": {"path": "train.csv", "label_column": "label", "test_path": "test.csv"}}).encode()
    yield "settings", "anchors.yaml", b"base: &lr 0.001\nlr: *lr\nschedule: 'wsd:peak=1e-3,steps=10'\nname: ~\n"
    yield "settings", "flow.yaml", b"{model: mlp, epochs: 2, data: {path: a.csv, label_column: y}}\n"

    yield "runlog", "steps.jsonl", b"".join(
        json.dumps({"kind": "step", "step": s, "lr": 1e-3 * (1 - s / 10), "loss": 2.0 / (s + 1)}).encode() + b"\n"
        for s in range(0, 10, 3))
    yield "runlog", "mixed.jsonl", (b'{"step": 0, "lr": 0.01, "loss": 3.0, "grad_norm": 1.5}\n'
                                    b'{"kind": "epoch", "epoch": 1, "loss": 2.0}\n\n'
                                    b'{"step": 5, "lr": 0.005}\n{"step": 9, "lr": 0.001, "loss": null}\n')
    yield "runlog", "torn.jsonl", b'{"step": 1, "lr": 1e-3, "loss": 1.0}\n{"step": 2, "lr": 1e-3, "lo'

    specs = ["constant:1e-3", "step:peak=0.1,size=30,gamma=0.5", "multistep:peak=0.1,milestones=30/60/90",
             "exponential:peak=0.1,gamma=0.99", "polynomial:peak=1e-2,steps=100,power=2,floor=1e-4",
             "linear:peak=1e-3,steps=50", "cosine:peak=1e-3,floor=1e-5,steps=4690,warmup=200,start=0.1",
             "sgdr:peak=1e-2,period=10,mult=2", "cospow:peak=1e-2,steps=100,power=10",
             "onecycle:peak=1e-2,steps=10000,pct=0.25,phases=3,anneal=linear",
             "cyclic:peak=1e-2,floor=1e-4,up=2000,mode=exp_range,gamma=0.999",
             "wsd:peak=1e-3,steps=10000,decay=0.2,warmup=500,shape=1-sqrt",
             "infinite:peak=1e-3,constant=5e-4,floor=1e-5,cooldown=100,annealsteps=1000,warmup=10"]
    for spec in specs:
        yield "schedule", spec.split(":")[0] + ".txt", spec.encode()

    def tokenizer(merges):
        return ("kiln-bpe 1\nmerges %d\n" % len(merges) + "".join("%d %d\n" % m for m in merges)).encode()
    yield "tokenizer", "empty.bpe", tokenizer([])
    yield "tokenizer", "aaabdaaabac.bpe", tokenizer([(97, 97), (97, 98), (256, 257)])
    # " the", "ing", " and", "12": merges joining earlier tokens, spaces and digits.
    yield "tokenizer", "words.bpe", tokenizer([(116, 104), (256, 101), (32, 257), (105, 110), (259, 103),
                                               (32, 97), (110, 100), (261, 262), (49, 50), (32, 32)])

    anchor = {"activation": "gelu", "batch_size": 32, "context": 128, "corpus": "/usr/share/games/fortunes",
              "dimension": 128, "eval_batch_size": 64, "eval_every": 250, "heads": 4, "layers": 4, "log_every": 10,
              "lr": 0.001, "min_lr": 0.0001, "norm": "layer", "normalizer": "softmax", "positions": "learned",
              "seed": 0, "steps": 1000, "train_fraction": 0.9, "warmup": 100, "weight_decay": 0.1}
    moe = dict(anchor, hidden=256, tokenizer="bpe", vocabulary_size=512, dropout=0.1, gradient_accumulation=2,
               moe={"balance_coefficient": 0.01, "balancing": "loss_free", "bias_rate": 0.001, "consistency": 1,
                    "experts": 8, "router": "topk", "shared_experts": 0, "temperature": 1, "threshold": 0.05,
                    "top_k": 2, "z_loss": 0.001})
    for name, settings in (("anchor.json", anchor), ("moe-bpe.json", moe), ("older.json", {"layers": 2})):
        yield "lmsettings", name, json.dumps({"language_model": settings}, sort_keys=True,
                                             separators=(",", ":")).encode()


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    for target, name, data in seeds():
        folder = os.path.join(ROOT, target)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)
    for target in sorted(os.listdir(ROOT)):
        print(f"{target}: {len(os.listdir(os.path.join(ROOT, target)))} seeds")


if __name__ == "__main__":
    main()
