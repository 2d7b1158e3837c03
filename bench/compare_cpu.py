#!/usr/bin/env python3
"""Times ConvScope's CPU forward pass against PyTorch and OpenCV DNN on the same networks.

Models: AlexNet as Caffe deploys it (227×227, LRN, ceil pooling, channel groups) and
torchvision's AlexNet (224×224). All three engines get the same weights (ConvScope's
generated ones, exported as safetensors), batch 1 and the same number of threads.

Before timing, the script checks that the three engines compute the same function:
PyTorch against ConvScope's output, and OpenCV (which loads the PyTorch model exported
to ONNX) against PyTorch, layer by layer, so a disagreement is located (LRN, ceil pooling).

Timing alternates the engines in rounds (default 7): each round runs `convscope bench`
(a fresh process: 2 warm-up passes, then --runs timed passes), then the same number of
passes in PyTorch and in OpenCV, rotating which engine goes first. A round's median is
the median of its passes; an engine's result is the median of its round medians, which
keeps one disturbed round (the machine is shared) from moving the result much.

Also records the peak resident memory of the convscope process against the size of the
weights. Everything goes to the output folder: results.json, results.md, and a work
folder for the weight and ONNX files that is removed at the end (unless --keep).

Usage: compare_cpu.py OUTDIR --convscope PATH [--threads 2] [--rounds 7] [--runs 10]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS = [  # (ConvScope preset, label)
    ("alexnet-caffe", "AlexNet (Caffe), 227×227"),
    ("alexnet-torchvision", "AlexNet (torchvision), 224×224"),
]
OPENCV_TOLERANCE = 1e-3     # relative L2, OpenCV against PyTorch (both float32)
CONVSCOPE_TOLERANCE = 1e-4  # relative L2, ConvScope against PyTorch (both float32)
# Layers the per-layer OpenCV check leaves out: dropout makes no ONNX node of its own.
PROBE_SKIP_TYPES = ("dropout",)


def load_crosscheck():
    """The PyTorch reference networks and the safetensors reader live in the cross-check
    test; importing them keeps one definition of each network."""
    path = REPO / "tests" / "crosscheck" / "crosscheck_pytorch.py"
    sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location("crosscheck_pytorch", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while it loads
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------------
# Child processes

def run_child(argv: list[str], work: Path) -> tuple[str, int | None]:
    """Runs a command; returns (stdout, its peak resident memory in KiB, or None).

    The peak comes from /usr/bin/time, which forks the command itself. Reading it from
    this process (os.wait4 or RUSAGE_CHILDREN) would be wrong: a child forked from this
    Python process, which holds PyTorch, OpenCV and two models, starts its high-water
    mark at the parent's size, and the kernel keeps it across exec. Without
    /usr/bin/time, the child's own VmHWM is polled from /proc while it runs.
    """
    time_bin = shutil.which("time", path="/usr/bin")
    rss_file = work / "maxrss.txt"
    cmd = [time_bin, "-f", "%M", "-o", str(rss_file), *argv] if time_bin else argv
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = None
    if not time_bin:
        while proc.poll() is None:
            peak = max(peak or 0, _vm_hwm_kib(proc.pid) or 0) or None
            time.sleep(0.02)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited with status {proc.returncode}:\n"
                           f"{stderr.strip() or stdout.strip()}")
    if time_bin:
        try:
            peak = int(rss_file.read_text().split()[-1])
        except (OSError, ValueError, IndexError):
            peak = None
        rss_file.unlink(missing_ok=True)
    return stdout, peak


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already inside user
    return total - idle, total


def other_load(interval: float = 0.5) -> float | None:
    """Fraction of the machine's CPU that other processes use, sampled while this
    script sleeps (0 = idle, 1 = every core busy)."""
    try:
        busy0, total0 = _cpu_jiffies()
        time.sleep(interval)
        busy1, total1 = _cpu_jiffies()
    except (OSError, ValueError, IndexError):
        return None
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else None


def wait_for_quiet(max_wait: float, threshold: float = 0.25) -> float | None:
    """Waits up to max_wait seconds for other processes to leave the CPU mostly idle;
    returns the last load seen, which the results record for each round."""
    deadline = time.monotonic() + max_wait
    load = other_load()
    while load is not None and load > threshold and time.monotonic() < deadline:
        load = other_load()
    return load


# ----------------------------------------------------------------------------------------
# PyTorch model and its ONNX export for OpenCV

def make_onnx_lrn(torch):
    """An LRN module that exports as ONNX's LRN operator.

    PyTorch 1.13 exports LocalResponseNorm as its decomposition (Pad, AveragePool over a
    5-D tensor, Pow, Div), which OpenCV 4.6's importer rejects ("Blob not found in const
    blobs" at the Pad). ONNX's LRN divides alpha by the size as PyTorch does, so the
    module's own constants carry over unchanged.
    """
    class _Lrn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, size, alpha, beta, k):
            return torch.nn.functional.local_response_norm(x, size, alpha, beta, k)

        @staticmethod
        def symbolic(g, x, size, alpha, beta, k):
            return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)

    class OnnxLrn(torch.nn.Module):
        def __init__(self, lrn):
            super().__init__()
            self.size, self.alpha, self.beta, self.k = lrn.size, lrn.alpha, lrn.beta, lrn.k

        def forward(self, x):
            return _Lrn.apply(x, self.size, self.alpha, self.beta, self.k)

    return OnnxLrn


def export_onnx(torch, modules, names, x, path: Path, opset: int, probe: bool) -> list[str]:
    """Exports the network to ONNX; returns the graph's output names.

    probe=False: one output, as benchmarked. probe=True: every compared layer's output
    is a graph output named after the ConvScope layer, for the per-layer comparison.
    """
    OnnxLrn = make_onnx_lrn(torch)
    mods = [OnnxLrn(m) if isinstance(m, torch.nn.LocalResponseNorm) else m for m in modules]
    keep = [i for i, (n, t) in enumerate(names) if t not in PROBE_SKIP_TYPES] if probe else [len(mods) - 1]

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(mods)

        def forward(self, h):
            outs = []
            for m in self.layers:
                h = m(h)
                outs.append(h)
            return tuple(outs[i] for i in keep)

    net = Net().eval()
    # PyTorch's exporter merges initializers with equal values when the model is in eval
    # mode; ConvScope's generated biases are all zero, so conv5.bias became an Identity of
    # conv4.bias, a node OpenCV 4.6 cannot load. Raising only the top-level training flag
    # (the children stay in eval mode, so dropout is still the identity) turns that merge
    # off; TrainingMode.PRESERVE keeps the exporter from resetting the flag.
    net.training = True
    output_names = [names[i][0] for i in keep] if probe else ["output"]
    # The exporter then warns about training-mode export and constant folding, which do
    # not apply (no dropout or batch norm node is exported), and about g.op's deprecation.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        torch.onnx.export(net, x, str(path), opset_version=opset, input_names=["input"],
                          output_names=output_names, training=torch.onnx.TrainingMode.PRESERVE,
                          do_constant_folding=True)
    return output_names


def rel_l2(a, b, np) -> float:
    a64, b64 = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    norm = np.linalg.norm(b64)
    return float(np.linalg.norm(a64 - b64) / norm) if norm > 0 else float(np.linalg.norm(a64))


def opencv_net(cv2, path: Path):
    net = cv2.dnn.readNetFromONNX(str(path))
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    return net


# ----------------------------------------------------------------------------------------
# Checks before timing

def check_convscope(convscope: str, preset: str, weights: Path, x, reference, work: Path, np) -> dict:
    """ConvScope's final output on the same input, against PyTorch's (float32 both)."""
    x_path, dump = work / f"{preset}-input.npy", work / f"{preset}-dump"
    np.save(x_path, x[0])
    run_child([convscope, "forward", "--preset", preset, "--weights", str(weights),
               "--input-npy", str(x_path), "--dump", str(dump)], work)
    summary = json.loads((dump / "summary.json").read_text())
    last = np.load(dump / summary["layers"][-1]["npy"])
    err = rel_l2(last, reference, np)
    shutil.rmtree(dump, ignore_errors=True)
    return {"layer": summary["layers"][-1]["name"], "rel_l2": err, "ok": err < CONVSCOPE_TOLERANCE}


def check_opencv(cv2, torch, np, modules, names, x, work: Path, preset: str, opset: int) -> dict:
    """Every compared layer's output in OpenCV against PyTorch (float32 both)."""
    path = work / f"{preset}-probe.onnx"
    result = {"layers": [], "first_disagreement": None, "error": None}
    try:
        outputs = export_onnx(torch, modules, names, torch.from_numpy(x), path, opset, probe=True)
        net = opencv_net(cv2, path)
        net.setInput(x)
        got = net.forward(outputs)
    except Exception as e:  # OpenCV raises cv2.error; report it rather than stop the run
        result["error"] = f"{type(e).__name__}: {e}".strip()
        return result
    finally:
        path.unlink(missing_ok=True)
    reference = {}
    with torch.no_grad():
        h = torch.from_numpy(x)
        for (name, _), m in zip(names, modules):
            h = m(h)
            reference[name] = h.numpy()
    types = dict(names)
    for name, value in zip(outputs, got):
        ref = reference[name]
        same_shape = value.size == ref.size
        err = rel_l2(value.reshape(ref.shape), ref, np) if same_shape else float("inf")
        row = {"layer": name, "type": types[name], "rel_l2": err, "ok": err < OPENCV_TOLERANCE,
               "shape_opencv": list(value.shape), "shape_pytorch": list(ref.shape)}
        result["layers"].append(row)
        if not row["ok"] and result["first_disagreement"] is None:
            result["first_disagreement"] = name
    return result


# ----------------------------------------------------------------------------------------
# Timing

def time_passes(forward, runs: int, warmup: int = 2) -> list[float]:
    """Milliseconds of `runs` calls of forward() after `warmup` untimed ones, matching
    convscope bench's two warm-up passes per round."""
    for _ in range(warmup):
        forward()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        forward()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def bench_model(args, cc, np, torch, cv2, preset: str, label: str, work: Path) -> dict:
    print(f"\n== {label}")
    weights = work / f"{preset}.safetensors"
    run_child([args.convscope, "export-weights", "--preset", preset, "--seed", str(args.seed),
               "--naming", "plain", "-o", str(weights)], work)
    tensors = cc.read_safetensors(weights, np)
    weight_bytes = sum(t.nbytes for t in tensors.values())
    input_shape, layers = cc.reference_network(preset, torch.nn)
    cc.load_weights(layers, tensors, torch)
    del tensors
    modules = [l.module.float().eval() for l in layers]
    names = [(l.name, l.type) for l in layers]
    model = torch.nn.Sequential(*modules).eval()

    x = np.random.default_rng(7).standard_normal((1, *input_shape)).astype(np.float32)
    with torch.no_grad():
        reference = model(torch.from_numpy(x)).numpy()

    # Same function first: ConvScope and OpenCV against PyTorch.
    cs_check = check_convscope(args.convscope, preset, weights, x, reference, work, np)
    print(f"  ConvScope vs PyTorch, {cs_check['layer']}: relative L2 {cs_check['rel_l2']:.2e}"
          f"{'' if cs_check['ok'] else '  DISAGREES'}")
    cv_check = check_opencv(cv2, torch, np, modules, names, x, work, preset, args.opset)
    if cv_check["error"]:
        print(f"  OpenCV per-layer check failed to run: {cv_check['error']}")
    else:
        worst = max(cv_check["layers"], key=lambda r: r["rel_l2"])
        print(f"  OpenCV vs PyTorch, {len(cv_check['layers'])} layers: worst relative L2 "
              f"{worst['rel_l2']:.2e} ({worst['layer']})")
        if cv_check["first_disagreement"]:
            bad = [r for r in cv_check["layers"] if not r["ok"]]
            print(f"  OpenCV DISAGREES from {cv_check['first_disagreement']} on: "
                  + ", ".join(f"{r['layer']} ({r['type']}) {r['rel_l2']:.2e}" for r in bad))

    onnx_path = work / f"{preset}.onnx"
    export_onnx(torch, modules, names, torch.from_numpy(x), onnx_path, args.opset, probe=False)
    net = opencv_net(cv2, onnx_path)
    net.setInput(x)
    cv_out = net.forward()
    cv_final = rel_l2(cv_out.reshape(reference.shape), reference, np)
    print(f"  OpenCV vs PyTorch, benchmarked network's output: relative L2 {cv_final:.2e}"
          f"{'' if cv_final < OPENCV_TOLERANCE else '  DISAGREES'}")

    xt = torch.from_numpy(x)

    def torch_forward():
        with torch.inference_mode():
            model(xt)

    def opencv_forward():
        net.setInput(x)
        net.forward()

    def convscope_round():
        out, rss = run_child([args.convscope, "bench", "--preset", preset, "--weights", str(weights),
                              "--threads", str(args.threads), "--runs", str(args.runs), "--format", "json"], work)
        report = json.loads(out)
        return report, rss

    rounds = {"convscope": [], "pytorch": [], "opencv": []}
    runs_ms = {"pytorch": [], "opencv": []}
    convscope_min, convscope_rss, convscope_layers = [], [], None
    engines = ["convscope", "pytorch", "opencv"]
    loads = []
    for r in range(args.rounds):
        # Other work on the machine slows whichever engine it overlaps; wait a little for
        # a quiet moment, and record how busy the machine was.
        loads.append(wait_for_quiet(args.settle))
        order = engines[r % 3:] + engines[:r % 3]  # rotate who goes first
        for engine in order:
            # A pause between engines: the worker threads of the one before (OpenMP, TBB) spin for a
            # while after their last pass and would otherwise compete with the next engine's threads.
            time.sleep(0.3)
            if engine == "convscope":
                report, rss = convscope_round()
                rounds["convscope"].append(report["total"]["median_ms"])
                convscope_min.append(report["total"]["min_ms"])
                convscope_rss.append(rss)
                convscope_layers = report["layers"]
            else:
                times = time_passes(torch_forward if engine == "pytorch" else opencv_forward, args.runs)
                runs_ms[engine] += times
                rounds[engine].append(statistics.median(times))
        load = "unknown" if loads[-1] is None else f"{100 * loads[-1]:.0f}%"
        print(f"  round {r + 1}/{args.rounds} (other load {load}): " + ", ".join(
            f"{e} {rounds[e][-1]:.2f} ms" for e in engines))

    onnx_path.unlink(missing_ok=True)
    weights_file_bytes = weights.stat().st_size
    weights.unlink(missing_ok=True)

    result = {
        "preset": preset, "label": label, "input": list(input_shape), "batch": 1,
        "median_ms": {e: statistics.median(rounds[e]) for e in engines},
        "min_ms": {"convscope": min(convscope_min), "pytorch": min(runs_ms["pytorch"]),
                   "opencv": min(runs_ms["opencv"])},
        "round_medians_ms": rounds,
        "round_other_load": loads,
        "convscope_layers_last_round": convscope_layers,
        "checks": {"convscope_vs_pytorch": cs_check, "opencv_vs_pytorch_layers": cv_check,
                   "opencv_vs_pytorch_output_rel_l2": cv_final,
                   "opencv_output_ok": cv_final < OPENCV_TOLERANCE},
        "memory": {"convscope_max_rss_kib": max((r for r in convscope_rss if r), default=None), "weights_tensor_bytes": weight_bytes,
                   "weights_file_bytes": weights_file_bytes},
    }
    med = result["median_ms"]
    result["ratio"] = {"convscope_over_opencv": med["convscope"] / med["opencv"],
                       "convscope_over_pytorch": med["convscope"] / med["pytorch"]}
    return result


# ----------------------------------------------------------------------------------------
# Report

def markdown(results: dict) -> str:
    env = results["environment"]
    lines = [
        "# ConvScope vs PyTorch vs OpenCV DNN on the CPU",
        "",
        f"{env['date']}, {env['cpu']} ({env['logical_cpus']} logical CPUs), "
        f"{env['threads']} threads for every engine, batch 1, {env['rounds']} rounds × {env['runs']} passes, "
        f"load average {env['loadavg_start'][0]:.2f} at the start and {env['loadavg_end'][0]:.2f} at the end.",
        f"PyTorch {env['torch']} (BLAS: {env['torch_blas']}, {env['blas_library']}), OpenCV {env['opencv']} "
        f"(ONNX opset {env['opset']}, parallel framework: {env['opencv_parallel']}), ConvScope `{env['convscope']}`.",
        "",
        "Median of the per-round medians, in milliseconds per forward pass (lower is better); "
        "a ratio above 1 means ConvScope is slower.",
        "",
        "| model | ConvScope | PyTorch | OpenCV | ConvScope/OpenCV | ConvScope/PyTorch |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for m in results["models"]:
        med, ratio = m["median_ms"], m["ratio"]
        lines.append(f"| {m['label']} | {med['convscope']:.2f} | {med['pytorch']:.2f} | {med['opencv']:.2f} | "
                     f"{ratio['convscope_over_opencv']:.2f} | {ratio['convscope_over_pytorch']:.2f} |")
    lines += ["", "Fastest single pass (ms):", "",
              "| model | ConvScope | PyTorch | OpenCV |", "|---|---:|---:|---:|"]
    for m in results["models"]:
        mn = m["min_ms"]
        lines.append(f"| {m['label']} | {mn['convscope']:.2f} | {mn['pytorch']:.2f} | {mn['opencv']:.2f} |")
    lines += ["", "Same function (relative L2 error of the output, float32):", "",
              "| model | ConvScope vs PyTorch | OpenCV vs PyTorch | OpenCV per layer |", "|---|---:|---:|---|"]
    for m in results["models"]:
        c = m["checks"]
        layers = c["opencv_vs_pytorch_layers"]
        if layers["error"]:
            per_layer = f"not run: {layers['error'].splitlines()[0]}"
        elif layers["first_disagreement"]:
            per_layer = "disagrees from " + layers["first_disagreement"]
        else:
            worst = max(layers["layers"], key=lambda r: r["rel_l2"])
            per_layer = f"all {len(layers['layers'])} agree (worst {worst['rel_l2']:.1e}, {worst['layer']})"
        lines.append(f"| {m['label']} | {c['convscope_vs_pytorch']['rel_l2']:.1e} | "
                     f"{c['opencv_vs_pytorch_output_rel_l2']:.1e} | {per_layer} |")
    lines += ["", "Memory of the convscope bench process:", "",
              "| model | peak resident | weights (tensors) | peak / weights |", "|---|---:|---:|---:|"]
    for m in results["models"]:
        mem = m["memory"]
        weights = f"{mem['weights_tensor_bytes'] / 2**20:.1f} MiB"
        if mem["convscope_max_rss_kib"] is None:
            lines.append(f"| {m['label']} | not measured | {weights} | |")
            continue
        rss = mem["convscope_max_rss_kib"] * 1024
        lines.append(f"| {m['label']} | {rss / 2**20:.1f} MiB | {weights} | {rss / mem['weights_tensor_bytes']:.2f} |")
    lines += ["", "Notes:", "",
              "- `convscope bench` times its own generated input; timing does not depend on the values.",
              "- Each ConvScope round is a fresh process (weights loading is not timed); PyTorch and OpenCV "
              "run in one Python process, with the same two warm-up passes per round.",
              "- PyTorch runs eagerly in float32 under `torch.inference_mode()`; its convolutions go through "
              "oneDNN, its Linear layers through the system BLAS named above (Debian's default is the "
              "unoptimised reference BLAS, which slows fc6–fc8). OpenCV loads the PyTorch model exported to "
              "ONNX (LRN as ONNX's LRN operator), with its default (OpenCV) backend on the CPU.",
              "- On a machine that runs other work at the same time the numbers are noisy; compare the "
              "round medians in results.json before trusting a small ratio.", ""]
    return "\n".join(lines)


def print_table(results: dict) -> None:
    print(f"\nmedian ms per forward pass, batch 1, {results['environment']['threads']} threads")
    header = f"{'model':<32} {'ConvScope':>10} {'PyTorch':>10} {'OpenCV':>10} {'CS/OpenCV':>10} {'CS/PyTorch':>11}"
    print(header)
    print("-" * len(header))
    for m in results["models"]:
        med, ratio = m["median_ms"], m["ratio"]
        print(f"{m['label']:<32} {med['convscope']:>10.2f} {med['pytorch']:>10.2f} {med['opencv']:>10.2f} "
              f"{ratio['convscope_over_opencv']:>10.2f} {ratio['convscope_over_pytorch']:>11.2f}")
    for m in results["models"]:
        mem = m["memory"]
        rss = mem["convscope_max_rss_kib"]
        print(f"{m['label']}: convscope peak RSS "
              f"{'not measured' if rss is None else f'{rss / 1024:.1f} MiB'}, "
              f"weights {mem['weights_tensor_bytes'] / 2**20:.1f} MiB")


def blas_library() -> str:
    """The libblas.so.3 Debian's alternatives select; PyTorch's BLAS_INFO=generic build
    uses it for Linear layers (the netlib reference BLAS unless e.g. OpenBLAS is installed)."""
    link = Path("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    try:
        return str(link.resolve(strict=True))
    except OSError:
        return "unknown"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="folder for results.json, results.md and scratch files")
    parser.add_argument("--convscope", required=True, help="path of the convscope binary")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--runs", type=int, default=10, help="timed passes per engine per round")
    parser.add_argument("--seed", type=int, default=1, help="ConvScope weight seed")
    parser.add_argument("--opset", type=int, default=11, help="ONNX opset for OpenCV")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds to wait, at most, for other processes to quiet down before each round")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (weights, ONNX)")
    args = parser.parse_args()
    args.convscope = os.path.abspath(args.convscope)

    try:
        import cv2
        import numpy as np
        import torch
    except ImportError as e:
        print(f"compare_cpu: {e.name} is not importable; scripts/setup --with-references installs it",
              file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    cc = load_crosscheck()
    args.outdir.mkdir(parents=True, exist_ok=True)
    work = args.outdir / "work"
    work.mkdir(exist_ok=True)

    blas = next((part.split("=", 1)[1] for part in torch.__config__.show().replace(",", " ").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    parallel = next((line.split(":", 1)[1].strip() for line in cv2.getBuildInformation().splitlines()
                     if "Parallel framework" in line), "unknown")
    env = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_name(),
        "logical_cpus": os.cpu_count(), "threads": args.threads, "rounds": args.rounds, "runs": args.runs,
        "seed": args.seed, "opset": args.opset, "torch": torch.__version__, "torch_blas": blas,
        "torch_threads": torch.get_num_threads(), "opencv": cv2.__version__,
        "opencv_parallel": parallel, "opencv_threads": cv2.getNumThreads(), "numpy": np.__version__,
        "python": platform.python_version(), "convscope": args.convscope, "blas_library": blas_library(),
        "loadavg_start": list(os.getloadavg()),
    }
    print(f"compare_cpu: {env['cpu']}, {args.threads} threads; PyTorch {env['torch']}, "
          f"OpenCV {env['opencv']}; load average {env['loadavg_start'][0]:.2f}")
    models = []
    try:
        for preset, label in MODELS:
            models.append(bench_model(args, cc, np, torch, cv2, preset, label, work))
    except RuntimeError as e:
        print(f"compare_cpu: {e}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    env["loadavg_end"] = list(os.getloadavg())
    # PyTorch, OpenCV and both models together, for scale only: they share this process.
    env["python_max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    results = {"environment": env, "models": models}
    (args.outdir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.outdir / "results.md").write_text(markdown(results))
    print_table(results)
    print(f"\nwrote {args.outdir / 'results.json'} and {args.outdir / 'results.md'}")
    checks_ok = all(m["checks"]["convscope_vs_pytorch"]["ok"] and m["checks"]["opencv_output_ok"] for m in models)
    if not checks_ok:
        print("compare_cpu: an engine disagrees with PyTorch (see above); its timing compares a different "
              "computation", file=sys.stderr)
    return 0 if checks_ok else 1


if __name__ == "__main__":
    sys.exit(main())
