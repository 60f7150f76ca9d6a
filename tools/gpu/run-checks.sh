#!/usr/bin/env bash
# The GPU checks of issues 3 and 6 in one call, for a lent GPU machine (15 minutes of device time a
# session, all tries included). Build the bundle here first (bash tools/gpu/make-bundle.sh), then:
#   run(command="bash tools/gpu/run-checks.sh", carry=[".gpu-bundle"], timeout_s=600)
# Phases, most important first; each has its own time limit, every phase runs even when an earlier one
# fails; every limit is cut to what is left before DEADLINE seconds (default 570, inside the device
# call's 600 s), and a phase with under 10 s left is skipped and says so:
#   env          GPU, driver, CPU; libraries the binaries cannot find
#   cuda-tests   tests/cuda/test_cuda_kernels (GPU vs CPU launcher, every source/mode/saturation);
#                a skipped test counts as a failure (rc 3) in every test phase
#   tiled-host   tests/test_tiled_rounding (the same schedule on this machine's CPU)
#   sweeps       all 2^32 binary32 inputs on the GPU vs the generic CPU kernel: bfloat16 rne, sr;
#                b8p4 rne, src N=3 (issue 3's list)
#   bench        roundlab bench --backend cuda (2^28 elements; ratio to a device-to-device copy)
#   gpt-tests    tests/cuda/test_gpt_cuda (CPU vs CUDA forward/backward, dropout, repeatability)
#   gpt-baby     the baby preset for ITERS iterations (default 100) with fp32 and b8p4 SRC N=3 weights:
#                ms/iter and tokens/s (64 × 256 tokens per iteration)
# Everything goes to $OUT/checks.log (OUT: the device tool's folder; ./gpu-checks-out elsewhere), plus
# $OUT/bench-cuda.json and the tests' $OUT/gtest-*.json. Exit status 0 only when every phase passed.
# Usage: bash tools/gpu/run-checks.sh [DEADLINE] [ITERS]
# Estimated (it has never run on a GPU): about 5 minutes on an H100 machine.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="$root/.gpu-bundle"
out="${OUT:-$root/gpu-checks-out}"
deadline="${1:-570}"
iters="${2:-100}"
mkdir -p "$out"
t0=$(date +%s)
summary=()

if [ ! -x "$bundle/bin/roundlab" ]; then
  echo "run-checks: $bundle/bin/roundlab is missing: run tools/gpu/make-bundle.sh here and carry .gpu-bundle"
  exit 2
fi
echo "bundle revision: $(tr '\n' ' ' <"$bundle/REVISION")"
bin="$bundle/bin"
export LD_LIBRARY_PATH="$bundle/lib:/usr/local/cuda/lib64:/usr/local/cuda/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# cuBLAS is not bundled: where the toolkit's folders lack it, look where Python's CUDA wheels keep it.
if ldd "$bin/test_gpt_cuda" | grep -q 'libcublas.*not found'; then
  for d in $(find /usr/local /opt /usr/lib -name 'libcublas.so.13' -printf '%h\n' 2>/dev/null | sort -u); do
    export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
  done
fi

# phase NAME LIMIT_SECONDS COMMAND...: runs COMMAND under timeout, its limit cut to what is left before
# DEADLINE; skipped when under 10 s are left.
phase() {
  local name="$1" limit="$2"
  shift 2
  local now=$(($(date +%s) - t0))
  local left=$((deadline - now))
  if [ "$left" -lt 10 ]; then
    echo "=== $name: SKIPPED (deadline of ${deadline}s reached at ${now}s)"
    summary+=("$name: skipped (deadline)")
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "=== $name (limit ${limit}s, at ${now}s)"
  local s=$(date +%s)
  timeout "$limit" bash -c '"$@"' phase "$@"  # functions below are exported, so bash -c sees them
  local rc=$?
  local took=$(($(date +%s) - s))
  [ "$rc" -eq 124 ] && echo "=== $name: TIMED OUT after ${limit}s"
  echo "=== $name: rc=$rc in ${took}s"
  summary+=("$name: rc=$rc ${took}s")
}

env_report() {
  nvidia-smi -L || true
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || true
  echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  grep -o -m1 -w 'avx512f\|avx2' /proc/cpuinfo | head -2 | tr '\n' ' '
  echo
  for b in "$bin"/*; do ldd "$b" | grep 'not found' | sed "s|^|$(basename "$b"): |"; done
  "$bin/roundlab" version
}

# A GoogleTest binary whose tests all ran and passed; skipped tests (no GPU visible) make it fail (rc 3),
# so the summary never reads a skip as a pass.
gtest_strict() {
  local log
  log="$(mktemp)"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ] && grep -q '^\[  SKIPPED \]' "$log"; then
    echo "gtest_strict: some tests were skipped"
    rc=3
  fi
  rm -f "$log"
  return "$rc"
}

sweeps() {
  local rc=0
  for spec in "bfloat16 --mode rne" "bfloat16 --mode sr" "b8p4 --mode rne" "b8p4 --mode src --random-bits 3"; do
    # shellcheck disable=SC2086
    "$bin/roundlab" compare --format $spec --source binary32 --exhaustive --reference kernel --backend cuda \
      --seed 20261205 || rc=1
  done
  return $rc
}

bench() {
  "$bin/roundlab" bench --backend cuda --repeat 20 || return 1
  "$bin/roundlab" bench --backend cuda --repeat 20 --json >"$out/bench-cuda.json"
}

gpt_baby() {
  local data="$bundle/data/tinyshakespeare.txt" rc=0
  [ -f "$data" ] || { echo "no $data in the bundle"; return 1; }
  for w in "--weights fp32" "--weights round-each-step --format b8p4 --mode src --random-bits 3"; do
    # shellcheck disable=SC2086
    "$bin/roundlab" train-gpt --preset baby --backend cuda --iters "$iters" --data "$data" --seed 1 --no-progress $w || rc=1
  done
  echo "tokens per iteration: 64 x 256 = 16384 (tokens/s = 16384000 / ms_per_iter)"
  return $rc
}

export -f env_report gtest_strict sweeps bench gpt_baby
export bin out bundle iters

main() {
  phase env 60 env_report
  phase cuda-tests 240 gtest_strict "$bin/test_cuda_kernels" --gtest_output="json:$out/gtest-cuda.json"
  phase tiled-host 120 gtest_strict "$bin/test_tiled_rounding"
  phase sweeps 300 sweeps
  phase bench 180 bench
  phase gpt-tests 240 gtest_strict "$bin/test_gpt_cuda" --gtest_output="json:$out/gtest-gpt.json"
  phase gpt-baby 240 gpt_baby

  echo
  echo "summary (total $(($(date +%s) - t0))s):"
  printf '  %s\n' "${summary[@]}"
  # Exit status: 0 only when every phase passed (a skipped test or a deadline counts as not passed).
  local s
  for s in "${summary[@]}"; do
    [[ "$s" == *": rc=0 "* ]] || return 1
  done
}

main 2>&1 | tee "$out/checks.log"
