#!/usr/bin/env bash
# Builds a self-contained ConvScope bundle for benchmarking the GL backend on a machine that has a
# GPU driver but not the GL client libraries (libglvnd's libEGL/libOpenGL/libGL, libepoxy).
#
#   bench/gpu/prepare.sh BUNDLE_DIR
#
#   BUNDLE_DIR  where the bundle goes (bench/gpu/bundle is git-ignored and is where run.sh looks)
#
# The bundle holds bin/convscope (Release, CONVSCOPE_NATIVE=OFF, so it runs on other x86-64
# processors), lib/ (every shared library it needs apart from glibc, plus the GL client
# libraries) and MANIFEST.txt. It must stay under 60 MiB. The build tree is kept outside the
# bundle, in $GPU_BUNDLE_BUILD_DIR (default: build-gpu-bundle/ in the repository root), so that
# a second run only rebuilds what changed. $GPU_BUNDLE_CXX_FLAGS (default: none) adds compiler
# flags, e.g. -march=x86-64-v3 when the other processor is known to have AVX2 and FMA.
set -euo pipefail

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }

if [ $# -eq 1 ] && { [ "$1" = "-h" ] || [ "$1" = "--help" ]; }; then
  usage
  exit 0
fi
if [ $# -ne 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
  usage >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$1"
bundle="$(cd "$1" && pwd)"
build="${GPU_BUNDLE_BUILD_DIR:-$root/build-gpu-bundle}"
extra_flags="${GPU_BUNDLE_CXX_FLAGS:-}"
limit_bytes=$((60 * 1024 * 1024))

if [ "$bundle" = "/" ] || [ "$bundle" = "$root" ] || [ "$bundle" = "$HOME" ]; then
  echo "prepare: refusing to use '$bundle' as the bundle folder" >&2
  exit 2
fi

# The GL client libraries go in as plain .so files found on this machine rather than as Debian
# packages: run.sh then needs nothing but LD_LIBRARY_PATH (unpacking .deb files into / and running
# ldconfig needs root and changes the other machine), and the files are exactly the ones the
# binary was built and tried against here.
gl_libs=(libEGL.so.1 libGLdispatch.so.0 libOpenGL.so.0 libGL.so.1 libGLX.so.0 libepoxy.so.0)
gl_libs_optional=(libGLESv2.so.2)

# glibc's own libraries: these must come from the machine the binary runs on.
is_glibc() {
  case "$1" in
    ld-linux*|linux-vdso*|libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*) return 0 ;;
    libutil.so.*|libanl.so.*|libmvec.so.*|libnsl.so.*|libnss_*|libBrokenLocale.so.*|libthread_db.so.*) return 0 ;;
    *) return 1 ;;
  esac
}

# Prints the path of a system library given its soname, or fails.
find_system_lib() {
  local name="$1" dir ldconfig
  ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
  if [ -x "$ldconfig" ]; then
    local hit
    hit="$("$ldconfig" -p 2>/dev/null | awk -v n="$name" '$1 == n && /x86-64/ { print $NF; exit }')"
    if [ -n "$hit" ] && [ -e "$hit" ]; then
      echo "$hit"
      return 0
    fi
  fi
  for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/lib /lib; do
    if [ -e "$dir/$name" ]; then
      echo "$dir/$name"
      return 0
    fi
  done
  return 1
}

# Prints "soname<TAB>path" for every library that ldd lists for the file $1; fails on "not found".
ldd_deps() {
  local out
  out="$(ldd "$1")"
  if grep -q 'not found' <<<"$out"; then
    echo "prepare: ldd cannot resolve everything $1 needs:" >&2
    grep 'not found' <<<"$out" >&2
    return 1
  fi
  awk '$2 == "=>" && $3 ~ /^\// { printf "%s\t%s\n", $1, $3 }' <<<"$out"
}

echo "== configuring and building convscope in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCONVSCOPE_NATIVE=OFF -DCONVSCOPE_BUILD_TESTS=OFF \
  "-DCMAKE_CXX_FLAGS=$extra_flags" >/dev/null
cmake --build "$build" --target convscope --parallel "$(nproc)"

echo "== gathering the bundle in $bundle"
rm -rf "${bundle:?}/bin" "${bundle:?}/lib" "${bundle:?}/MANIFEST.txt"
mkdir -p "$bundle/bin" "$bundle/lib"
install -m 0755 "$build/convscope" "$bundle/bin/convscope"

# soname -> the path on this machine it was copied from
declare -A origin=()
add_lib() {
  local name="$1" path="$2"
  is_glibc "$name" && return 0
  [ -n "${origin[$name]+x}" ] && return 0
  origin[$name]="$path"
  # cp -L follows the symlink chain, so the real file lands under its soname.
  cp -L "$path" "$bundle/lib/$name"
  chmod 0644 "$bundle/lib/$name"
}

# ldd already lists the whole closure, so one pass over the binary and each GL library suffices.
roots=("$bundle/bin/convscope")
for name in "${gl_libs[@]}"; do
  if ! path="$(find_system_lib "$name")"; then
    echo "prepare: $name is not installed here (Debian: libegl1 libglvnd0 libopengl0 libgl1 libglx0 libepoxy0)" >&2
    exit 1
  fi
  add_lib "$name" "$path"
  roots+=("$path")
done
for name in "${gl_libs_optional[@]}"; do
  if path="$(find_system_lib "$name")"; then
    add_lib "$name" "$path"
    roots+=("$path")
  fi
done
for file in "${roots[@]}"; do
  while IFS=$'\t' read -r name path; do
    add_lib "$name" "$path"
  done < <(ldd_deps "$file")
done

# With the bundle's lib first on the path, nothing but glibc may resolve outside it.
check="$(LD_LIBRARY_PATH="$bundle/lib" ldd "$bundle/bin/convscope" "$bundle"/lib/*.so* \
  | awk '$2 == "=>" { print $1, $3 }' \
  | while read -r name path; do
      if [ "$path" = "not" ] || { ! is_glibc "$name" && [ "${path#"$bundle/lib/"}" = "$path" ]; }; then
        echo "$name => $path"
      fi
    done | sort -u)"
if [ -n "$check" ]; then
  echo "prepare: with LD_LIBRARY_PATH=$bundle/lib these still resolve outside the bundle:" >&2
  echo "$check" >&2
  exit 1
fi
if ! LD_LIBRARY_PATH="$bundle/lib" "$bundle/bin/convscope" presets >/dev/null; then
  echo "prepare: the bundled binary does not run ('convscope presets' failed)" >&2
  exit 1
fi

# A guard against -march=native creeping back into some target: AVX-512 code would crash with
# SIGILL on a processor without it.
if [ -z "$extra_flags" ] && objdump -d --no-show-raw-insn "$bundle/bin/convscope" | grep -q '%zmm'; then
  echo "prepare: warning: bin/convscope contains AVX-512 instructions; it may not run on other processors" >&2
fi

# The newest glibc symbol version anything in the bundle asks for: the other machine needs at least that.
glibc_needed="$(objdump -T "$bundle/bin/convscope" "$bundle"/lib/*.so* 2>/dev/null \
  | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1 || true)"

package_of() {
  local path="$1" real pkg
  real="$(readlink -f "$path")"
  for p in "$path" "$real" "${path/#\/lib\//\/usr\/lib\/}" "${real/#\/lib\//\/usr\/lib\/}"; do
    if pkg="$(dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1-2)" && [ -n "$pkg" ]; then
      pkg="${pkg%%:*}"
      echo "$pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo '?')"
      return 0
    fi
  done
  echo "?"
}

cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt" | head -n 1)"
commit="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
changes="$(git -C "$root" status --porcelain 2>/dev/null || true)"
{
  echo "ConvScope bundle for running the GL backend on a machine without the GL client libraries"
  echo
  echo "created:        $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -srm)"
  echo "source commit:  $commit"
  if [ -n "$changes" ]; then
    echo "working tree:   $(wc -l <<<"$changes") uncommitted change(s) built in:"
    while IFS= read -r line; do echo "                  $line"; done <<<"$changes"
  else
    echo "working tree:   clean"
  fi
  echo "build:          Release, CONVSCOPE_NATIVE=OFF, CONVSCOPE_BUILD_TESTS=OFF, extra flags: ${extra_flags:-none}"
  echo "compiler:       $cxx $("$cxx" -dumpfullversion 2>/dev/null || echo '?')"
  echo "glibc needed:   ${glibc_needed:-?} or newer (glibc is not bundled)"
  echo "run with:       LD_LIBRARY_PATH=<bundle>/lib <bundle>/bin/convscope ..."
  echo
  echo "files (bytes, copied from, Debian package):"
  printf '  %-28s %10s  %s\n' "bin/convscope" "$(stat -c %s "$bundle/bin/convscope")" "$build/convscope"
  for f in "$bundle"/lib/*; do
    name="$(basename "$f")"
    printf '  %-28s %10s  %s (%s)\n' "lib/$name" "$(stat -c %s "$f")" \
      "$(readlink -f "${origin[$name]}")" "$(package_of "${origin[$name]}")"
  done
} >"$bundle/MANIFEST.txt"

echo "total:          $(du -cb "$bundle/bin/convscope" "$bundle"/lib/* | tail -n 1 | cut -f1) bytes in bin/ and lib/" >>"$bundle/MANIFEST.txt"
total_bytes="$(du -sb "$bundle" | cut -f1)"

echo "== bundle: $bundle"
echo "   $(find "$bundle/lib" -type f | wc -l) libraries, binary $(stat -c %s "$bundle/bin/convscope") bytes"
echo "   total size: $(numfmt --to=iec-i --suffix=B "$total_bytes") ($total_bytes bytes; limit 60 MiB)"
if [ "$total_bytes" -gt "$limit_bytes" ]; then
  echo "prepare: the bundle is $total_bytes bytes, over the 60 MiB limit ($limit_bytes bytes)" >&2
  exit 1
fi
