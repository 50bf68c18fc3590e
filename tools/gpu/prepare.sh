#!/usr/bin/env bash
# Prepares .gpu/ (git-ignored) for tools/gpu/run.sh on a GPU machine that has no .NET
# (../shared/GPU.md, "Running .NET code on a GPU machine without .NET"):
#   the packed .NET runtime, device-env.sh, jax_bench.py and jax_real.py, the test suite and the
#   device bench published framework-dependent and trimmed (other platforms' runtimes, pdb, xml).
# Usage, from the checkout root:  bash tools/gpu/prepare.sh [SHARED_DIR]   (default ../shared)
# The result must stay under the device tool's 64 MiB carry limit; the script prints its size.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
shared=${1:-$root/../shared}
[ -f "$shared/gpu/pack-dotnet-runtime.sh" ] || shared=/work/shared
out=.gpu
rm -rf "$out"
mkdir -p "$out"
bash "$shared/gpu/pack-dotnet-runtime.sh" "$out" >/dev/null
cp "$shared/gpu/device-env.sh" "$shared/gpu/jax_bench.py" "$shared/gpu/jax_real.py" "$out/"
dotnet publish tests -c Release --no-self-contained -o "$out/tests" -p:GenerateDocumentationFile=false >/dev/null
dotnet publish tools/gpu/DeviceBench -c Release --no-self-contained -o "$out/bench" >/dev/null
for d in "$out/tests" "$out/bench"; do
  # Only linux-x64 native assets are needed; symbols, docs and satellite resources are not.
  find "$d/runtimes" -mindepth 1 -maxdepth 1 ! -name 'linux-x64' -exec rm -rf {} + 2>/dev/null || true
  find "$d" \( -name '*.pdb' -o -name '*.xml' \) -delete
  find "$d" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[a-z]{2}(-[A-Za-z]+)?' -exec rm -rf {} + 2>/dev/null || true
done
# The bench's own copies of assemblies the tests also publish are kept: each app is self-consistent.
du -sh "$out" | awk '{print ".gpu is " $1 " (the device tool carries at most 64 MiB)"}'
