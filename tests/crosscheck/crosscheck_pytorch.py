#!/usr/bin/env python3
"""Cross-checks ConvScope's forward pass against PyTorch, layer by layer.

For each AlexNet preset (Caffe, paper, torchvision) and each weight seed, the check

  1. has ConvScope write its generated weights as a safetensors file (and, since those
     biases are all zero, also checks a copy with random biases and first layer),
  2. feeds ConvScope a random float32 (C, H, W) tensor and dumps every layer's output,
  3. builds the same network in PyTorch, written out here from the reference
     definitions (Caffe's deploy.prototxt, the 2012 paper, torchvision's AlexNet)
     rather than from ConvScope's model files, so that a mistake in a preset shows up too,
  4. loads the very same weights into it, runs it in float64 and compares every
     layer's output with ConvScope's dump (relative L2 error below the tolerance).

Every ConvScope layer is compared, ReLU and dropout included: PyTorch's modules are
listed one per ConvScope layer, so the output after each module is the reference
for the layer of the same name.

Usage:  crosscheck_pytorch.py PATH/TO/convscope [--seeds 1,3] [--backends cpu,reference]
Exit status: 0 every layer matches, 1 a mismatch or an error (printed), 77 PyTorch or
NumPy is not importable (CTest counts the test as skipped).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

EXIT_OK, EXIT_FAIL, EXIT_SKIP = 0, 1, 77

# ConvScope computes in float32 (im2col + Eigen in the cpu backend); the longest dot
# products (fc6: 9216 terms) stay far below this relative error in float32.
DEFAULT_TOLERANCE = 1e-4
PRESETS = ("alexnet-caffe", "alexnet-paper", "alexnet-torchvision")
PIXEL_SCALE_PRESETS = ("alexnet-caffe", "alexnet-paper")


class CheckError(Exception):
    """A failure that ends one preset's check with a clear message."""


# ----------------------------------------------------------------------------------------
# safetensors: there is no Python module for it here, and the format is simple enough:
# an 8-byte little-endian header length, a JSON header, then the raw little-endian data.

_SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
                       "I16": "<i2", "I8": "i1", "U8": "u1"}


def read_safetensors(path: Path, np) -> dict:
    """Returns {name: numpy array} for every tensor in a safetensors file."""
    data = path.read_bytes()
    if len(data) < 8:
        raise CheckError(f"{path}: too short for a safetensors file ({len(data)} bytes)")
    (header_len,) = struct.unpack("<Q", data[:8])
    if 8 + header_len > len(data):
        raise CheckError(f"{path}: header length {header_len} runs past the end of the file")
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    body = memoryview(data)[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise CheckError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = math.prod(shape)
        if not 0 <= begin <= end <= len(body) or end - begin != count * np.dtype(dtype).itemsize:
            raise CheckError(f"{path}: tensor {name} has offsets {begin}..{end} that do not fit "
                             f"shape {list(shape)} and the {len(body)}-byte data section")
        # Copy out of the file buffer and into native byte order: PyTorch wants both.
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(shape).astype(
            np.dtype(dtype).newbyteorder("="))
    return tensors


def write_safetensors(path: Path, tensors: dict, np) -> None:
    """Writes float32 tensors as a safetensors file, the way other programs would."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # the format allows padding the header with spaces
    with path.open("wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for data in blobs:
            f.write(data)


def randomise_weights(tensors: dict, seed: int, np) -> dict:
    """The generated weights with every bias and the first convolution made random.

    ConvScope generates zero biases and a designed (symmetric Gabor-like) first layer,
    which would let a bias that is dropped or added to the wrong channel, or a kernel
    that is flipped, pass unnoticed; random values expose both.
    """
    rng = np.random.default_rng(seed)
    out = dict(tensors)
    for name, value in tensors.items():
        if name.endswith(".bias"):
            out[name] = (0.5 * rng.standard_normal(value.shape)).astype(np.float32)
        elif name == "conv1.weight":
            fan_in = math.prod(value.shape[1:])
            out[name] = (math.sqrt(2.0 / fan_in) * rng.standard_normal(value.shape)).astype(np.float32)
    return out


# ----------------------------------------------------------------------------------------
# The reference networks, one PyTorch module per ConvScope layer, in ConvScope's order.

@dataclass
class RefLayer:
    name: str          # ConvScope's layer name (also the weight name prefix in plain naming)
    type: str          # ConvScope's layer type, checked against the dump's summary.json
    module: object     # the torch.nn module that computes this layer


def _lrn(nn, size: int, alpha: float, beta: float, k: float, alpha_over_size: bool):
    # PyTorch's LocalResponseNorm divides alpha by the window size, as Caffe does; the
    # paper uses alpha as is, so multiply it by the size to cancel PyTorch's division.
    # Its window over channels is [c - size//2, c + (size-1)//2], ConvScope's for odd sizes.
    return nn.LocalResponseNorm(size, alpha=alpha if alpha_over_size else alpha * size, beta=beta, k=k)


def alexnet_two_column(nn, lrn_k: float, lrn_alpha_over_size: bool, classes: int = 1000):
    """AlexNet with LRN, ceil-mode 3/2 max pooling and two channel groups in conv2/4/5.

    Caffe's deploy.prototxt (k = 1, alpha divided by 5, input 227) and the paper
    (k = 2, alpha as is, input 224) differ only in the LRN constants.
    """
    def lrn():
        return _lrn(nn, 5, 1e-4, 0.75, lrn_k, lrn_alpha_over_size)

    def pool():
        # Caffe rounds the pooled size up; PyTorch's ceil_mode does the same when, as
        # here, the last window starts inside the input.
        return nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)

    return [
        RefLayer("conv1", "conv", nn.Conv2d(3, 96, 11, stride=4)),
        RefLayer("relu1", "relu", nn.ReLU()),
        RefLayer("norm1", "lrn", lrn()),
        RefLayer("pool1", "maxpool", pool()),
        RefLayer("conv2", "conv", nn.Conv2d(96, 256, 5, padding=2, groups=2)),
        RefLayer("relu2", "relu", nn.ReLU()),
        RefLayer("norm2", "lrn", lrn()),
        RefLayer("pool2", "maxpool", pool()),
        RefLayer("conv3", "conv", nn.Conv2d(256, 384, 3, padding=1)),
        RefLayer("relu3", "relu", nn.ReLU()),
        RefLayer("conv4", "conv", nn.Conv2d(384, 384, 3, padding=1, groups=2)),
        RefLayer("relu4", "relu", nn.ReLU()),
        RefLayer("conv5", "conv", nn.Conv2d(384, 256, 3, padding=1, groups=2)),
        RefLayer("relu5", "relu", nn.ReLU()),
        RefLayer("pool5", "maxpool", pool()),
        # Caffe's InnerProduct flattens (C, H, W) in row-major order, as torch.flatten does.
        RefLayer("fc6", "fc", nn.Sequential(nn.Flatten(), nn.Linear(256 * 6 * 6, 4096))),
        RefLayer("relu6", "relu", nn.ReLU()),
        RefLayer("drop6", "dropout", nn.Dropout(0.5)),
        RefLayer("fc7", "fc", nn.Linear(4096, 4096)),
        RefLayer("relu7", "relu", nn.ReLU()),
        RefLayer("drop7", "dropout", nn.Dropout(0.5)),
        RefLayer("fc8", "fc", nn.Linear(4096, classes)),
        RefLayer("prob", "softmax", nn.Softmax(dim=1)),
    ]


def alexnet_torchvision(nn, classes: int = 1000):
    """torchvision.models.alexnet, module for module (features, avgpool, flatten, classifier)."""
    return [
        RefLayer("conv1", "conv", nn.Conv2d(3, 64, 11, stride=4, padding=2)),
        RefLayer("relu1", "relu", nn.ReLU()),
        RefLayer("pool1", "maxpool", nn.MaxPool2d(3, 2)),
        RefLayer("conv2", "conv", nn.Conv2d(64, 192, 5, padding=2)),
        RefLayer("relu2", "relu", nn.ReLU()),
        RefLayer("pool2", "maxpool", nn.MaxPool2d(3, 2)),
        RefLayer("conv3", "conv", nn.Conv2d(192, 384, 3, padding=1)),
        RefLayer("relu3", "relu", nn.ReLU()),
        RefLayer("conv4", "conv", nn.Conv2d(384, 256, 3, padding=1)),
        RefLayer("relu4", "relu", nn.ReLU()),
        RefLayer("conv5", "conv", nn.Conv2d(256, 256, 3, padding=1)),
        RefLayer("relu5", "relu", nn.ReLU()),
        RefLayer("pool5", "maxpool", nn.MaxPool2d(3, 2)),
        RefLayer("avgpool", "adaptive_avgpool", nn.AdaptiveAvgPool2d((6, 6))),
        RefLayer("flatten", "flatten", nn.Flatten()),
        RefLayer("drop6", "dropout", nn.Dropout(0.5)),
        RefLayer("fc6", "fc", nn.Linear(256 * 6 * 6, 4096)),
        RefLayer("relu6", "relu", nn.ReLU()),
        RefLayer("drop7", "dropout", nn.Dropout(0.5)),
        RefLayer("fc7", "fc", nn.Linear(4096, 4096)),
        RefLayer("relu7", "relu", nn.ReLU()),
        RefLayer("fc8", "fc", nn.Linear(4096, classes)),
    ]


def reference_network(preset: str, nn):
    """Returns (input shape (C, H, W), layers) for a preset."""
    if preset == "alexnet-caffe":
        return (3, 227, 227), alexnet_two_column(nn, lrn_k=1.0, lrn_alpha_over_size=True)
    if preset == "alexnet-paper":
        # 224 as printed: conv1 gives 54×54 and ceil pooling brings it back to 27×27.
        return (3, 224, 224), alexnet_two_column(nn, lrn_k=2.0, lrn_alpha_over_size=False)
    if preset == "alexnet-torchvision":
        return (3, 224, 224), alexnet_torchvision(nn)
    raise CheckError(f"no reference network for preset {preset}")


def _parametrised(module, torch):
    """The Conv2d or Linear inside a layer's module (fc6 wraps its Linear with a Flatten)."""
    for m in module.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            return m
    return None


def load_weights(layers, tensors: dict, torch) -> None:
    """Copies name.weight / name.bias into each conv and fc layer; every tensor must be used."""
    unused = set(tensors)
    with torch.no_grad():
        for layer in layers:
            target = _parametrised(layer.module, torch)
            if target is None:
                continue
            for attr in ("weight", "bias"):
                key = f"{layer.name}.{attr}"
                if key not in tensors:
                    raise CheckError(f"weights file has no tensor {key}")
                param = getattr(target, attr)
                value = torch.from_numpy(tensors[key])
                if tuple(value.shape) != tuple(param.shape):
                    raise CheckError(f"tensor {key} has shape {list(value.shape)}, "
                                     f"PyTorch's layer wants {list(param.shape)}")
                param.copy_(value)
                unused.discard(key)
    if unused:
        raise CheckError(f"weights file has tensors no layer uses: {sorted(unused)}")


# ----------------------------------------------------------------------------------------
# Running ConvScope

def run_convscope(argv: list[str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckError(f"`{' '.join(argv)}` exited with status {result.returncode}:\n"
                         f"{result.stderr.strip() or result.stdout.strip() or '(no output)'}")
    return result.stdout


def check_torchvision_naming(convscope: str, preset: str, seed: int, plain: dict, workdir: Path,
                             np, torch) -> None:
    """torchvision naming must hold the same tensors under torchvision's own state_dict keys."""
    path = workdir / f"{preset}-seed{seed}-torchvision.safetensors"
    run_convscope([convscope, "export-weights", "--preset", preset, "--seed", str(seed),
                   "--naming", "torchvision", "-o", str(path)])
    named = read_safetensors(path, np)
    path.unlink()
    nn = torch.nn
    # torchvision.models.alexnet's module tree, so load_state_dict(strict=True) checks
    # every key and shape exactly as a torchvision user would load the file.
    model = nn.Module()
    model.features = nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2),
        nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, 2))
    model.avgpool = nn.AdaptiveAvgPool2d((6, 6))
    model.classifier = nn.Sequential(
        nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, 1000))
    try:
        model.load_state_dict({k: torch.from_numpy(v) for k, v in named.items()}, strict=True)
    except RuntimeError as e:
        raise CheckError(f"torchvision-named weights do not load into torchvision's AlexNet: {e}")
    mapping = {"features.0": "conv1", "features.3": "conv2", "features.6": "conv3",
               "features.8": "conv4", "features.10": "conv5", "classifier.1": "fc6",
               "classifier.4": "fc7", "classifier.6": "fc8"}
    for key, value in named.items():
        module, attr = key.rsplit(".", 1)
        plain_key = f"{mapping[module]}.{attr}"
        if not np.array_equal(value, plain[plain_key]):
            raise CheckError(f"torchvision-named {key} differs from plain {plain_key}")
    print(f"  torchvision naming: all {len(named)} tensors load into torchvision's AlexNet "
          "and equal the plain ones")


# ----------------------------------------------------------------------------------------
# Comparing

def relative_l2(actual, expected, np) -> float:
    """||actual − expected|| / ||expected|| in float64; the absolute norm when expected is 0."""
    diff = np.linalg.norm((actual.astype(np.float64) - expected).ravel())
    norm = np.linalg.norm(expected.ravel())
    return float(diff / norm) if norm > 0 else float(diff)


def compare_run(label: str, dump: Path, layers, outputs, input_shape, tolerance: float, np) -> tuple[bool, list]:
    """Compares a ConvScope dump with the PyTorch outputs; prints one line per layer.

    Returns (all layers pass, [(layer name, relative error, max abs error)]).
    """
    summary = json.loads((dump / "summary.json").read_text())
    ok = True
    rows = []
    if list(summary.get("input", [])) != list(input_shape):
        print(f"  {label}: ConvScope's input is {summary.get('input')}, expected {list(input_shape)}")
        ok = False
    dumped = summary.get("layers", [])
    if [(d["name"], d["type"]) for d in dumped] != [(l.name, l.type) for l in layers]:
        print(f"  {label}: ConvScope's layers differ from the reference network's:")
        print(f"    convscope: {[(d['name'], d['type']) for d in dumped]}")
        print(f"    pytorch:   {[(l.name, l.type) for l in layers]}")
        return False, rows

    print(f"  {label}")
    print(f"    {'#':>3}  {'layer':<8} {'type':<17} {'shape':<14} {'rel L2 err':>11} {'max abs err':>12}")
    for entry, layer, ref in zip(dumped, layers, outputs):
        # PyTorch's (1, C, H, W) or (1, N); ConvScope keeps (C, H, W), with (N, 1, 1) after fc.
        expected = ref.squeeze(0).reshape(-1, *ref.shape[2:]) if ref.dim() == 4 else ref.reshape(-1, 1, 1)
        expected = expected.numpy()
        path = dump / entry["npy"]
        actual = np.load(path)
        shape = "×".join(str(s) for s in expected.shape)
        if actual.dtype != np.float32:
            print(f"    {entry['index']:>3}  {layer.name:<8} {layer.type:<17} {shape:<14} "
                  f"FAIL: {path.name} holds {actual.dtype}, not float32")
            ok = False
            continue
        if actual.shape != expected.shape or list(entry["shape"]) != list(expected.shape):
            print(f"    {entry['index']:>3}  {layer.name:<8} {layer.type:<17} {shape:<14} "
                  f"FAIL: ConvScope's shape is {list(actual.shape)} (summary {entry['shape']})")
            ok = False
            continue
        err = relative_l2(actual, expected, np)
        max_abs = float(np.max(np.abs(actual.astype(np.float64) - expected)))
        passed = math.isfinite(err) and err < tolerance
        ok &= passed
        rows.append((layer.name, err, max_abs))
        print(f"    {entry['index']:>3}  {layer.name:<8} {layer.type:<17} {shape:<14} {err:>11.3e} "
              f"{max_abs:>12.3e}{'' if passed else '  FAIL'}")
    return ok, rows


def make_inputs(preset: str, input_shape, workdir: Path, np) -> list[tuple[str, Path, object]]:
    """The inputs a preset is checked on: [(label, .npy path, array)], fixed seeds.

    Every preset gets a standard normal tensor, like a normalised image; its logits stay
    small enough that the softmax is not one-hot, so the softmax is really compared.
    The Caffe-style presets also get the same noise at pixel scale (Caffe feeds 0–255
    values minus the mean): only there does LRN's alpha·Σa² term change the output by much
    more than the tolerance, so a wrong LRN constant cannot hide below it.
    """
    noise = np.random.default_rng(20240601).standard_normal(input_shape)
    scales = [("unit-scale input", 1.0)]
    if preset in PIXEL_SCALE_PRESETS:
        scales.append(("pixel-scale input", 50.0))
    inputs = []
    for i, (label, scale) in enumerate(scales):
        x = (scale * noise).astype(np.float32)
        path = workdir / f"{preset}-input{i}.npy"
        np.save(path, x)
        inputs.append((label, path, x))
    return inputs


def reference_outputs(model, x, np, torch) -> list:
    """Every layer's output of the PyTorch network, in float64, so the errors measure
    ConvScope's float32 rounding alone."""
    outputs = []
    with torch.no_grad():
        h = torch.from_numpy(x.astype(np.float64)).unsqueeze(0)
        for m in model:
            h = m(h)
            outputs.append(h)
    return outputs


def check_preset(convscope: str, preset: str, seeds: list[int], backends: list[str], workdir: Path,
                 tolerance: float, random_biases: bool, np, torch) -> tuple[bool, dict]:
    """Checks one preset for every weight set, input and backend; returns
    (passed, {layer: worst relative error})."""
    input_shape, layers = reference_network(preset, torch.nn)
    model = torch.nn.ModuleList([l.module for l in layers]).double().eval()
    inputs = make_inputs(preset, input_shape, workdir, np)

    ok = True
    worst: dict[str, float] = {}
    # Weight sets: ConvScope's own export for each seed, then (with random_biases) the last
    # seed's weights with random biases and first layer, written here as safetensors.
    weight_sets = [(f"seed {seed}", seed, False) for seed in seeds]
    if random_biases and seeds:
        weight_sets.append((f"seed {seeds[-1]} + random biases and conv1", seeds[-1], True))
    for weights_label, seed, randomised in weight_sets:
        w_path = workdir / f"{preset}-seed{seed}{'-random' if randomised else ''}.safetensors"
        run_convscope([convscope, "export-weights", "--preset", preset, "--seed", str(seed),
                       "--naming", "plain", "-o", str(w_path)])
        tensors = read_safetensors(w_path, np)
        if randomised:
            tensors = randomise_weights(tensors, seed, np)
            write_safetensors(w_path, tensors, np)
        elif preset == "alexnet-torchvision":
            check_torchvision_naming(convscope, preset, seed, tensors, workdir, np, torch)
        load_weights(layers, {k: v.astype(np.float64) for k, v in tensors.items()}, torch)
        del tensors

        for input_label, x_path, x in inputs:
            outputs = reference_outputs(model, x, np, torch)
            for backend in backends:
                dump = workdir / f"{preset}-dump-{backend}"
                run_convscope([convscope, "forward", "--preset", preset, "--weights", str(w_path),
                               "--input-npy", str(x_path), "--backend", backend, "--dump", str(dump)])
                passed, rows = compare_run(f"{preset}, {weights_label}, {input_label}, backend {backend}",
                                           dump, layers, outputs, input_shape, tolerance, np)
                ok &= passed
                for name, err, _ in rows:
                    worst[name] = max(worst.get(name, 0.0), err)
                shutil.rmtree(dump, ignore_errors=True)
        w_path.unlink()
    return ok, worst


def check_onnx_export(convscope: str, workdir: Path, tolerance: float, np, torch) -> bool:
    """torchvision's AlexNet exported by torch.onnx.export, imported with --onnx and run on its own weights:
    the final scores must match PyTorch's, and the import must reproduce the published figures."""
    print("\nalexnet-torchvision through torch.onnx.export")
    model = torch.nn.Sequential(*[layer.module for layer in alexnet_torchvision(torch.nn)]).eval()
    x = torch.randn(1, 3, 224, 224)
    onnx_path = workdir / "alexnet-torchvision.onnx"
    torch.onnx.export(model, x, str(onnx_path), opset_version=11, input_names=["input"], output_names=["scores"])
    npy = workdir / "onnx-input.npy"
    np.save(npy, x[0].numpy().astype(np.float32))
    table = json.loads(run_convscope([convscope, "table", "--onnx", str(onnx_path), "--format", "json"]))
    if table["totals"]["params"] != 61_100_840 or table["totals"]["macs"] != 714_188_480:
        print(f"  FAIL: imported network has {table['totals']['params']} parameters and "
              f"{table['totals']['macs']} MACs (expected 61100840 and 714188480)")
        return False
    dump = workdir / "onnx-dump"
    run_convscope([convscope, "forward", "--onnx", str(onnx_path), "--input-npy", str(npy), "--dump", str(dump)])
    summary = json.loads((dump / "summary.json").read_text())
    got = np.load(dump / summary["layers"][-1]["npy"]).reshape(-1).astype(np.float64)
    with torch.no_grad():
        expected = model.double()(x.double())[0].numpy()
    error = relative_l2(got, expected, np)
    ok = error < tolerance
    print(f"  {len(summary['layers'])} layers imported; final scores relative L2 {error:.1e} "
          f"{'ok' if ok else 'FAIL'}")
    return ok



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("convscope", help="path of the convscope binary")
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated presets")
    parser.add_argument("--seeds", default="1,3", help="comma-separated weight seeds (default 1,3)")
    parser.add_argument("--backends", default="cpu,reference", help="ConvScope backends to check")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                        help=f"largest relative L2 error per layer (default {DEFAULT_TOLERANCE:g})")
    parser.add_argument("--no-random-biases", action="store_true",
                        help="skip the weight set with random biases and first layer")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(f"crosscheck: skipped, {e.name} is not importable ({e}); "
              "scripts/setup --with-references installs it", file=sys.stderr)
        return EXIT_SKIP

    convscope = os.path.abspath(args.convscope)
    if not os.access(convscope, os.X_OK):
        print(f"crosscheck: {convscope} is not an executable file", file=sys.stderr)
        return EXIT_FAIL
    presets = [p for p in args.presets.split(",") if p]
    seeds = [int(s) for s in args.seeds.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]

    torch.manual_seed(0)
    print(f"crosscheck: ConvScope {convscope} against PyTorch {torch.__version__} (float64), "
          f"tolerance {args.tolerance:g} relative L2 per layer")
    workdir = Path(tempfile.mkdtemp(prefix="convscope-crosscheck-"))
    failed = []
    summary = {}
    try:
        for preset in presets:
            print(f"\n{preset}")
            try:
                ok, worst = check_preset(convscope, preset, seeds, backends, workdir, args.tolerance,
                                         not args.no_random_biases, np, torch)
            except CheckError as e:
                print(f"  ERROR: {e}")
                ok, worst = False, {}
            summary[preset] = worst
            if not ok:
                failed.append(preset)
        try:
            if not check_onnx_export(convscope, workdir, args.tolerance, np, torch):
                failed.append("ONNX export")
        except CheckError as e:
            print(f"  ERROR: {e}")
            failed.append("ONNX export")
    finally:
        if args.keep:
            print(f"\nkept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\nworst relative L2 error per layer (over weight sets, inputs and backends):")
    for preset, worst in summary.items():
        if worst:
            print(f"  {preset}: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    if failed:
        print(f"\ncrosscheck: FAILED for {', '.join(failed)}")
        return EXIT_FAIL
    checked = ", ".join(presets + ["the ONNX export"])
    print(f"\ncrosscheck: every layer of {checked} matches PyTorch")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
