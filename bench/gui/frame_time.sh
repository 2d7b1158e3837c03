#!/usr/bin/env bash
# Times the desktop window: how long a frame takes with AlexNet's conv1 (96 feature maps) on screen,
# and how long after an edit the new maps are ready to draw (the shapes change in the same frame; the
# maps need a forward pass on the worker). Runs `convscope gui` with a script on a virtual display
# (xvfb-run) or the current one, and writes the app's state with its timings to OUTDIR/state.json and
# a summary to OUTDIR/summary.txt.
#
#   bench/gui/frame_time.sh OUTDIR [CONVSCOPE_BINARY] [BACKEND]
#
# BACKEND is cpu (default) or gl. Frames are drawn as fast as they can be (no vsync), so the frame
# time is the app's own cost: building the UI, and drawing it with whatever OpenGL the display has
# (Mesa's llvmpipe under xvfb-run).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/../.." && pwd)"
outdir="$1"
binary="${2:-$root/build/convscope}"
backend="${3:-cpu}"
[ -x "$binary" ] || { echo "frame_time: no convscope at $binary (scripts/build makes it)" >&2; exit 2; }
mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"

display=()
if command -v xvfb-run >/dev/null 2>&1; then
  display=(xvfb-run -a -s "-screen 0 1600x1000x24")
elif [ -z "${DISPLAY:-}" ]; then
  echo "frame_time: needs xvfb-run or a display" >&2
  exit 2
fi

steps="$outdir/steps.txt"
{
  echo "backend $backend"
  echo "select conv1"
  echo "wait-pass 120"
  echo "frames 200"
  # Ten edits of conv1's filter count (every later shape stays; conv1's and conv2's weights are
  # regenerated), each given time for its pass to finish before the next.
  for n in 64 96 48 96 64 96 48 96 64 96; do
    echo "set out $n"
    echo "wait-pass 120"
    echo "frames 20"
  done
  echo "state \"$outdir/state.json\""
} >"$steps"

"${display[@]}" "$binary" gui --no-persist --size 1600x1000 --script "$steps" >"$outdir/gui.log" 2>&1

python3 - "$outdir/state.json" >"$outdir/summary.txt" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = s["timing"]
f, c = t["frames"], t["change_to_maps"]
print(f"frames: {f['count']}, median {f['median_ms']:.2f} ms, 95th percentile {f['p95_ms']:.2f} ms, max {f['max_ms']:.2f} ms")
if c["count"]:
    print(f"change to maps: {c['count']} changes, median {c['median_ms']:.1f} ms, max {c['max_ms']:.1f} ms")
print("device:", (s.get("pass") or {}).get("device", "none"))
PY
cat "$outdir/summary.txt"
