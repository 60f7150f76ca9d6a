#!/usr/bin/env bash
# Builds what the GPU checks need (tools/gpu/run-checks.sh) and packs it into .gpu-bundle/ at the repository
# root: the lent GPU machines reach no package registry, so they cannot install libmpfr, GoogleTest or
# the rest, and their processor may lack this one's instruction sets. The bundle holds:
#   bin/  roundlab, test_cuda_kernels, test_gpt_cuda, test_tiled_rounding (built in build-gpu/ without
#         -march=native and without MPI; the fast CPU path still picks AVX-512/AVX2 at run time);
#   lib/  the shared libraries they need that are not glibc, libstdc++ or cuBLAS (mpfr, gmp, gomp, cudart);
#   data/ tinyshakespeare.txt (../shared does not travel to the device machine).
# Then a device call carries it:  run(command="bash tools/gpu/run-checks.sh", carry=[".gpu-bundle"]).
# Needs the packages of .ci/install-deps and nvcc. Usage: bash tools/gpu/make-bundle.sh [build-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-gpu}"
bundle="$root/.gpu-bundle"
data="$root/../shared/data/tinyshakespeare.txt"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DROUNDLAB_GPT_NATIVE=OFF -DROUNDLAB_MPI=OFF \
  -DROUNDLAB_CUDA=ON >/dev/null
targets="$(cmake --build "$build" --target help)"
grep -q test_cuda_kernels <<<"$targets" ||
  { echo "make-bundle: the build has no CUDA targets (nvcc not found?), so there is nothing to run on a GPU" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" --target roundlab test_cuda_kernels test_gpt_cuda test_tiled_rounding

rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/data"
cp "$build/roundlab" "$build/tests/test_cuda_kernels" "$build/tests/test_gpt_cuda" \
  "$build/tests/test_tiled_rounding" "$bundle/bin/"
# Libraries by soname, resolved here; glibc's, libstdc++/libgcc_s (the device image's are newer) and
# cuBLAS (hundreds of MiB; the device's CUDA 13 toolkit has it) stay behind.
for b in "$bundle"/bin/*; do ldd "$b"; done | awk '/=> \//{print $1, $3}' | sort -u |
  while read -r name path; do
    case "$name" in
      libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libstdc++*|libgcc_s*|libcublas*) ;;
      *) cp -L "$path" "$bundle/lib/$name" ;;
    esac
  done
if [ -f "$data" ]; then cp "$data" "$bundle/data/"; else echo "make-bundle: $data not found; the GPT phase will be skipped" >&2; fi
git -C "$root" rev-parse --short=12 HEAD >"$bundle/REVISION"
git -C "$root" diff --quiet HEAD || echo "dirty" >>"$bundle/REVISION"
du -sh "$bundle"
# The device tool carries at most 64 MiB with the working tree (~5 MiB).
size_kib=$(du -sk "$bundle" | cut -f1)
[ "$size_kib" -lt $((56 * 1024)) ] || echo "make-bundle: WARNING: the bundle is ${size_kib} KiB; the device call carries 64 MiB in all" >&2
ls -l "$bundle/bin" "$bundle/lib"
