#!/usr/bin/env bash
# Times ConvScope's CPU forward pass against PyTorch and OpenCV DNN on the same networks and
# weights (AlexNet as Caffe deploys it, 227×227, and torchvision's AlexNet, 224×224), batch 1,
# the same thread count for all three, and writes results.json and results.md to OUTDIR.
#
#   bench/compare_cpu.sh OUTDIR [CONVSCOPE_BINARY] [THREADS]
#
#   OUTDIR            where the results (and, while it runs, about 0.5 GB of scratch files) go
#   CONVSCOPE_BINARY  default: $CONVSCOPE_BUILD_DIR/convscope, else build/convscope
#   THREADS           threads for every engine (default 2)
#
# Rounds and passes: COMPARE_ROUNDS (default 7) × COMPARE_RUNS (default 10) per engine; before
# each round it waits up to COMPARE_SETTLE seconds (default 10) for other processes to go quiet.
# Needs PyTorch, OpenCV and NumPy for /usr/bin/python3: scripts/setup --with-references.
set -euo pipefail

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }

if [ $# -lt 1 ] || [ $# -gt 3 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  usage >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
outdir="$1"
convscope="${2:-${CONVSCOPE_BUILD_DIR:-$root/build}/convscope}"
threads="${3:-2}"
python=/usr/bin/python3  # Debian's, which sees python3-torch and python3-opencv

if [ ! -x "$convscope" ]; then
  echo "compare_cpu: no convscope binary at $convscope (build it with scripts/build, or pass its path)" >&2
  exit 2
fi
if ! [[ "$threads" =~ ^[1-9][0-9]*$ ]]; then
  echo "compare_cpu: THREADS must be a positive integer, got '$threads'" >&2
  exit 2
fi
if ! "$python" -c 'import torch, cv2, numpy' 2>/dev/null; then
  echo "compare_cpu: $python cannot import torch, cv2 and numpy; run scripts/setup --with-references" >&2
  exit 2
fi

mkdir -p "$outdir"
exec "$python" "$root/bench/compare_cpu.py" "$outdir" --convscope "$convscope" --threads "$threads" \
  --rounds "${COMPARE_ROUNDS:-7}" --runs "${COMPARE_RUNS:-10}" --settle "${COMPARE_SETTLE:-10}"
