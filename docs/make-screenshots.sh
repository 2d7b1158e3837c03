#!/usr/bin/env bash
# Makes the screenshots in docs/images with the app itself: one scripted run of `convscope gui` on a
# virtual display (xvfb-run), 1280×800, so the pictures in the user guide always show the current app.
#   docs/make-screenshots.sh [BINARY] [OUTDIR]
# BINARY defaults to build/convscope, OUTDIR to docs/images. Exits 77 (skipped) where there is
# neither xvfb-run nor a display to draw on.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="${1:-$root/build/convscope}"
outdir="${2:-$root/docs/images}"
size="1280x800"

if [[ ! -x "$binary" ]]; then
  echo "make-screenshots: no program at $binary (build it first: scripts/build)" >&2
  exit 2
fi
if command -v xvfb-run >/dev/null 2>&1; then
  display=(xvfb-run -a -s "-screen 0 ${size}x24")
elif [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  display=()  # the desktop's own display; the window may then be scaled for the monitor
else
  echo "make-screenshots: skipped: needs xvfb-run (apt-get install xvfb xauth) or a display" >&2
  exit 77
fi

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The steps: each picture starts from a preset, so the order of the pictures does not matter.
cat >"$work/steps.txt" <<EOF
# The window as it opens: Caffe's AlexNet, the sample photo, conv1 selected.
preset alexnet-caffe
select conv1
screenshot "$outdir/overview.png"

# conv1's maps in the diverging colours (blue below zero, red above), one channel enlarged.
select conv1
colormap diverging
enlarge 2
screenshot "$outdir/feature-maps.png"
enlarge off
colormap viridis

# An edit that no longer divides evenly: the formula shows the rounding, the strip turns amber.
# One channel enlarged rather than all 96: the picture is about the shapes, and it stays small.
preset alexnet-caffe
select conv1
set kernel 9
expect-status conv1 warning
enlarge 0
screenshot "$outdir/edit-rounding.png"

# The paper's AlexNet at 224: the explorer's 224 versus 227.
preset alexnet-paper
select conv1
enlarge 0
screenshot "$outdir/explorer-224.png"

# A kernel larger than its input: an error, shown in red, and no maps after it.
preset lenet5
select c1
set kernel 40
expect-valid no
screenshot "$outdir/error.png"

# AlexNet's two-GPU split: the Devices window over the maps (it opens on 2 devices, batch 128), conv1
# selected so that both halves of the designed kernels show. Closed again afterwards, so that it
# covers no picture added below.
preset alexnet-paper
select conv1
show devices on
screenshot "$outdir/devices.png"
show devices off

# The interface in Simplified Chinese (View > Language): the same window and numbers, every text
# translated. Back to English afterwards, so that it changes no picture added below.
preset alexnet-caffe
select conv1
language zh
screenshot "$outdir/chinese.png"
language en

# The guided tour at conv3, where the two GPUs exchange their halves: the Tour window over the input
# panel, with the formula and the maps beside it. Stopped and closed afterwards, so that it covers no
# picture added below.
preset alexnet-caffe
tour start alexnet
tour next
tour next
tour next
tour next
tour next
tour next
tour next
tour next
tour next
tour next
expect-tour-step 11 conv3
screenshot "$outdir/tour.png"
tour stop
tour close

# Convolution, animated: conv1 of the paper's AlexNet with a 227×224 input (height × width), at its last
# window. Along a column 227 divides exactly; along a row floor leaves cell 223, which no window
# reaches (red). Closed again afterwards, so that it covers no picture added below.
preset alexnet-paper
select conv1
input 3 227 224
animation on
animation-step end
expect-animation 54 54 row
expect-animation 55 55 column
screenshot "$outdir/animation.png"
animation off
EOF

"${display[@]}" "$binary" gui --no-persist --size "$size" --script "$work/steps.txt"
pictures=(overview feature-maps edit-rounding explorer-224 error devices chinese tour animation)
# The app writes its PNGs quickly rather than small; optipng, where installed, shrinks them by a third
# or so without changing a pixel.
if command -v optipng >/dev/null 2>&1; then
  for f in "${pictures[@]}"; do optipng -quiet -o2 "$outdir/$f.png"; done
fi
for f in "${pictures[@]}"; do
  echo "wrote $outdir/$f.png ($(($(stat -c %s "$outdir/$f.png") / 1024)) KiB)"
done
