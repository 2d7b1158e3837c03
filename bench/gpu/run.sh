#!/usr/bin/env bash
# Benchmarks ConvScope's GL backend (and, for comparison, its CPU backend) from a bundle made by
# prepare.sh, on a machine with a GPU driver but without the GL client libraries.
#
#   bench/gpu/run.sh OUTDIR [BUNDLE_DIR]
#
#   OUTDIR      where the results go (created if missing): machine.txt, per preset P: P.json,
#               P.txt, P-forward.txt, P-cpu.json and P.err (stderr, if any), and summary.md
#   BUNDLE_DIR  default: bench/gpu/bundle in the repository root
#
# Environment: GPU_BENCH_RUNS (timed passes per GL bench, default 200), GPU_BENCH_CPU_RUNS
# (default 20), GPU_BENCH_PRESETS (default "alexnet-caffe alexnet-torchvision alexnet-paper"),
# GPU_BENCH_TIMEOUT (seconds per command, default 120). Once a GL command times out or falls
# back to the CPU, the remaining GL commands are skipped.
# A failed command is recorded and the others still run; the exit status is 1 if any command
# failed, timed out or fell back from the GPU to the CPU.
set -euo pipefail

usage() { sed -n '2,17s/^# \{0,1\}//p' "$0"; }

if [ $# -ge 1 ] && { [ "$1" = "-h" ] || [ "$1" = "--help" ]; }; then
  usage
  exit 0
fi
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
  usage >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="${2:-$root/bench/gpu/bundle}"
runs="${GPU_BENCH_RUNS:-200}"
cpu_runs="${GPU_BENCH_CPU_RUNS:-20}"
step_timeout="${GPU_BENCH_TIMEOUT:-120}"
read -r -a presets <<<"${GPU_BENCH_PRESETS:-alexnet-caffe alexnet-torchvision alexnet-paper}"

for value in "$runs" "$cpu_runs" "$step_timeout"; do
  if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
    echo "run: GPU_BENCH_RUNS, GPU_BENCH_CPU_RUNS and GPU_BENCH_TIMEOUT must be positive integers, got '$value'" >&2
    exit 2
  fi
done
if [ "${#presets[@]}" -eq 0 ]; then
  echo "run: GPU_BENCH_PRESETS is empty" >&2
  exit 2
fi
if [ ! -d "$bundle" ]; then
  echo "run: no bundle at $bundle (make one with bench/gpu/prepare.sh)" >&2
  exit 2
fi
bundle="$(cd "$bundle" && pwd)"
bin="$bundle/bin/convscope"
if [ ! -x "$bin" ] || [ ! -d "$bundle/lib" ]; then
  echo "run: $bundle has no bin/convscope or lib/ (make it with bench/gpu/prepare.sh)" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"

# The bundle's libraries first; whatever the machine already had on the path (the driver's
# libraries, for instance) after them.
export LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# Point libglvnd's EGL at the NVIDIA driver's vendor file unless the caller chose one.
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES+x}" ]; then
  shopt -s nullglob
  for candidate in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json \
                   /usr/share/glvnd/egl_vendor.d/*nvidia*.json /etc/glvnd/egl_vendor.d/*nvidia*.json; do
    if [ -f "$candidate" ]; then
      export __EGL_VENDOR_LIBRARY_FILENAMES="$candidate"
      break
    fi
  done
  shopt -u nullglob
fi

# Whether the dynamic loader can find a library by name: on LD_LIBRARY_PATH or in ld.so.cache.
findable() {
  local dir ldconfig
  local IFS=:
  for dir in $LD_LIBRARY_PATH; do
    [ -n "$dir" ] && [ -e "$dir/$1" ] && return 0
  done
  ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
  [ -x "$ldconfig" ] && "$ldconfig" -p 2>/dev/null | grep -q "^[[:space:]]*$1 "
}

# A driver installed under /usr/local/nvidia keeps its libraries beside the vendor file's tree;
# add them if the loader would not find the EGL vendor library otherwise.
if ! findable libEGL_nvidia.so.0; then
  for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    if [ -e "$dir/libEGL_nvidia.so.0" ]; then
      export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$dir"
      break
    fi
  done
fi

# ---- machine facts ----------------------------------------------------------------------------
{
  echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "uname:       $(uname -a)"
  echo "nproc:       $(nproc)"
  echo "cpu:         $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
  echo "glibc:       $(getconf GNU_LIBC_VERSION 2>/dev/null || echo '?')"
  echo "bundle:      $bundle"
  if [ -f "$bundle/MANIFEST.txt" ]; then
    sed -n 's/^\(source commit\|glibc needed\): */bundle \1: /p' "$bundle/MANIFEST.txt"
  fi
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "__EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES-(unset)}"
  shopt -s nullglob
  vendor_files=(/usr/local/nvidia/share/glvnd/egl_vendor.d/*.json /usr/share/glvnd/egl_vendor.d/*.json
                /etc/glvnd/egl_vendor.d/*.json)
  shopt -u nullglob
  echo "EGL vendor files: ${vendor_files[*]:-none}"
  if findable libEGL_nvidia.so.0; then
    echo "libEGL_nvidia.so.0: found by the loader"
  else
    echo "libEGL_nvidia.so.0: NOT found by the loader"
  fi
  echo
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "\$ nvidia-smi -L"
    nvidia-smi -L 2>&1 || true
    echo
    echo "\$ nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv"
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv 2>&1 || true
  else
    echo "nvidia-smi: not installed"
  fi
  echo
  echo "\$ ldd bin/convscope (with the bundle's LD_LIBRARY_PATH)"
  ldd "$bin" 2>&1 || true
} >"$out/machine.txt"

if [ -f "$bundle/MANIFEST.txt" ]; then
  cp "$bundle/MANIFEST.txt" "$out/bundle-manifest.txt"
fi

# ---- the runs ---------------------------------------------------------------------------------
have_timeout=0
command -v timeout >/dev/null 2>&1 && have_timeout=1
gl_stop=""  # why the remaining GL commands are skipped, once one of them went wrong
failures=0
status_file="$out/runs.tsv"
printf 'preset\tcommand\toutput\texit\tseconds\tstatus\n' >"$status_file"

# convscope falls back to the CPU (exit status 0, a note on stderr) when it cannot make a GL
# context; that is no GPU measurement. The JSON names the backend that ran; the text formats say
# "... on gl: DEVICE" in their first line.
ran_on_gl() {
  if [ "${1%.json}" != "$1" ]; then
    grep -q '"backend"[[:space:]]*:[[:space:]]*"gl"' "$1"
  else
    head -n 1 "$1" | grep -q ' on gl'
  fi
}

# step PRESET OUTPUT_NAME BACKEND COMMAND...: runs COMMAND with stdout to OUTDIR/OUTPUT_NAME; its
# stderr goes to OUTDIR/PRESET.err under a heading when there is any or when the command fails.
step() {
  local preset="$1" output="$2" backend="$3"
  shift 3
  local err_tmp rc=0 status=ok start end seconds
  err_tmp="$(mktemp)"
  if [ "$backend" = gl ] && [ -n "$gl_stop" ]; then
    status="skipped ($gl_stop)"
    rc=-
    seconds=0
    : >"$out/$output"
  else
    echo "-- $preset: $*" >&2
    start="$(date +%s.%N)"
    if [ "$have_timeout" -eq 1 ]; then
      timeout --kill-after=10 "$step_timeout" "$@" >"$out/$output" 2>"$err_tmp" || rc=$?
    else
      "$@" >"$out/$output" 2>"$err_tmp" || rc=$?
    fi
    end="$(date +%s.%N)"
    seconds="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
      status="timed out after ${step_timeout} s"
      [ "$backend" = gl ] && gl_stop="an earlier GL command timed out"
    elif [ "$rc" -ne 0 ]; then
      status="failed"
    elif [ "$backend" = gl ] && ! ran_on_gl "$out/$output"; then
      status="fell back to the CPU"
      gl_stop="the GL backend fell back to the CPU earlier"
    fi
  fi
  if [ "$status" != ok ]; then
    failures=$((failures + 1))
    echo "   $status (exit $rc)" >&2
  fi
  if [ -s "$err_tmp" ] || [ "$status" != ok ]; then
    {
      echo "== $* > $output: exit $rc, $status"
      cat "$err_tmp"
      echo
    } >>"$out/$preset.err"
  fi
  rm -f "$err_tmp"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$preset" "$*" "$output" "$rc" "$seconds" "$status" >>"$status_file"
}

for preset in "${presets[@]}"; do
  rm -f "$out/$preset.err"
  # forward first: it prints the GL device line, so a wrong device shows up early.
  step "$preset" "$preset-forward.txt" gl "$bin" forward --preset "$preset" --backend gl
  step "$preset" "$preset.json" gl "$bin" bench --preset "$preset" --backend gl --runs "$runs" --format json
  step "$preset" "$preset.txt" gl "$bin" bench --preset "$preset" --backend gl --runs "$runs" --format text
  step "$preset" "$preset-cpu.json" cpu "$bin" bench --preset "$preset" --backend cpu --runs "$cpu_runs" --format json
done

# ---- summary ----------------------------------------------------------------------------------
python=""
for candidate in /usr/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import json' >/dev/null 2>&1; then
    python="$candidate"
    break
  fi
done

# Prints one Markdown row from a bench JSON file: | preset | asked | ran on | device | threads |
# runs | total median | GPU total median | wall median |
row_python() {
  "$python" - "$1" "$2" "$3" <<'EOF'
import json, sys
preset, asked, path = sys.argv[1], sys.argv[2], sys.argv[3]
def ms(d, key):
    v = d.get(key)
    if isinstance(v, dict) and isinstance(v.get("median_ms"), (int, float)):
        return f"{v['median_ms']:.3f}"
    return "–"
try:
    with open(path) as f:
        d = json.load(f)
except (OSError, ValueError) as e:
    print(f"| {preset} | {asked} | – | unreadable JSON ({type(e).__name__}) | – | – | – | – | – |")
    sys.exit(0)
device = d.get("device", "–")
if isinstance(device, dict):
    device = device.get("renderer") or device.get("name") or json.dumps(device)
device = str(device).replace("|", "/").replace("\n", " ")
print(f"| {preset} | {asked} | {d.get('backend', '–')} | {device} | {d.get('threads', '–')} | {d.get('runs', '–')}"
      f" | {ms(d, 'total')} | {ms(d, 'gpu_total')} | {ms(d, 'wall')} |")
EOF
}

row_jq() {
  jq -r --arg p "$1" --arg a "$2" '
    def ms(k): if (.[k] | type) == "object" and (.[k].median_ms | type) == "number"
               then (.[k].median_ms * 1000 | round / 1000 | tostring) else "–" end;
    (.device // "–" | if type == "object" then (.renderer // .name // tostring) else tostring end
       | gsub("\\|"; "/") | gsub("\n"; " ")) as $dev
    | "| \($p) | \($a) | \(.backend // "–") | \($dev) | \(.threads // "–") | \(.runs // "–") | \(ms("total")) | \(ms("gpu_total")) | \(ms("wall")) |"
  ' "$3" 2>/dev/null || echo "| $1 | $2 | – | unreadable JSON | – | – | – | – | – |"
}

{
  echo "# ConvScope GL benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "- GPU: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -n 1 || echo '?')"
  fi
  echo "- CPU: $(nproc) threads, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
  if [ -f "$bundle/MANIFEST.txt" ]; then
    echo "- source: $(sed -n 's/^source commit: *//p' "$bundle/MANIFEST.txt")"
  fi
  echo "- passes: $runs per GL bench, $cpu_runs per CPU bench (batch 1, float32)"
  echo
  echo "Medians in milliseconds. *total* is the bench's total (for GL: the per-layer GPU timer"
  echo "queries), *wall* the wall-clock time of a whole pass, where the backend reports it."
  echo "The CPU binary is built for generic x86-64 (no -march=native), so its CPU figures"
  echo "understate what a native build reaches."
  echo
  if [ -n "$python" ] || command -v jq >/dev/null 2>&1; then
    echo "| preset | asked | ran on | device | threads | runs | total | GPU total | wall |"
    echo "|---|---|---|---|---:|---:|---:|---:|---:|"
    for preset in "${presets[@]}"; do
      for asked in gl cpu; do
        file="$preset.json"
        [ "$asked" = cpu ] && file="$preset-cpu.json"
        if [ ! -s "$out/$file" ]; then
          echo "| $preset | $asked | – | no result ($file) | – | – | – | – | – |"
        elif [ -n "$python" ]; then
          row_python "$preset" "$asked" "$out/$file"
        else
          row_jq "$preset" "$asked" "$out/$file"
        fi
      done
    done
  else
    echo "(No table: neither python3 nor jq is installed here; the figures are in the .json files.)"
  fi
  echo
  echo "## Commands"
  echo
  echo "| preset | output | exit | seconds | status |"
  echo "|---|---|---:|---:|---|"
  tail -n +2 "$status_file" | while IFS=$'\t' read -r preset _command output rc seconds status; do
    echo "| $preset | $output | $rc | $seconds | $status |"
  done
  echo
  if [ "$failures" -gt 0 ]; then
    echo "$failures command(s) did not succeed; their stderr is in the PRESET.err files."
  else
    echo "All commands succeeded."
  fi
} >"$out/summary.md"

echo "results in $out (summary.md)" >&2
if [ "$failures" -gt 0 ]; then
  echo "run: $failures command(s) did not succeed (see $out/summary.md and the .err files)" >&2
  exit 1
fi
