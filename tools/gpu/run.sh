#!/usr/bin/env bash
# Runs on a GPU machine without .NET, from the checkout root, after tools/gpu/prepare.sh made .gpu/:
#   the conformance suites of the cuda and opencl backends on the real devices, the device-resident
#   W1-W5 bench on both plus the 2^26-float copy bandwidth, and JAX's jit(vmap) figures on the same
#   card. Everything goes to $OUT (default ./gpu-out): logs, bench.jsonl, jax.log, summary.txt.
# Budget: about 8 minutes in all; each part has its own timeout so one hang cannot take the rest.
# Usage: bash tools/gpu/run.sh
set -u
out=${OUT:-gpu-out}
mkdir -p "$out"
start=$(date +%s)
stamp() { echo "[$(( $(date +%s) - start ))s] $*" | tee -a "$out/summary.txt"; }
# shellcheck disable=SC1091
source .gpu/device-env.sh .gpu > "$out/env.txt" 2>&1
cat "$out/env.txt"
nvidia-smi > "$out/nvidia-smi.txt" 2>&1 || true
export ARRAYLANG_CUDA_DEVICE=gpu ARRAYLANG_CUDA_LEAK_CALLS=100000 DOTNET_TieredPGO=1
stamp "start; device: $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)"

suite() { # name filter timeout
  timeout "$3" dotnet .gpu/app/ArrayLang.Tests.dll --filter-test-list "$2" > "$out/conformance-$1.log" 2>&1
  local rc=$?
  stamp "conformance $1: rc=$rc; $(grep -E '^[0-9]+ passed' "$out/conformance-$1.log" | tail -1)"
  grep -E "ERR\]|offline PTX|ill-conditioned|device " "$out/conformance-$1.log" | head -20 >> "$out/summary.txt"
}
suite cuda cuda 200
suite opencl opencl 100

timeout 120 dotnet .gpu/app/DeviceBench.dll --backends cuda,opencl --reps 20 --out "$out/bench.jsonl" > "$out/bench.log" 2>&1
stamp "device bench: rc=$?"
grep -vE '^JSON' "$out/bench.log" >> "$out/summary.txt"

timeout 90 python3 .gpu/jax_bench.py --device gpu > "$out/jax.log" 2>&1
stamp "jax_bench: rc=$?"
tail -15 "$out/jax.log" >> "$out/summary.txt"
stamp "done"
