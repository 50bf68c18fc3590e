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
# Both apps go to one folder (they share every assembly but their own), so nothing travels twice.
dotnet publish tests -c Release --no-self-contained -o "$out/app" >/dev/null
dotnet publish tools/gpu/DeviceBench -c Release --no-self-contained -o "$out/app" >/dev/null
d="$out/app"
# Only linux-x64 native assets are needed; symbols, docs and satellite resources are not; nor are
# the parts of BenchmarkDotNet that only its own runner loads (Roslyn, ETW tracing, disassemblers,
# Windows natives): the GPU run filters to the cuda and opencl tests and never starts BenchmarkDotNet.
find "$d/runtimes" -mindepth 1 -maxdepth 1 ! -name 'linux-x64' -exec rm -rf {} + 2>/dev/null || true
rm -rf "$d/x86" "$d/amd64" "$d/arm64"
rm -f "$d"/Microsoft.CodeAnalysis*.dll "$d"/Microsoft.Diagnostics.Tracing.TraceEvent.dll "$d"/Iced.dll \
      "$d"/Gee.External.Capstone.dll "$d"/Microsoft.Diagnostics.Runtime.dll
find "$d" \( -name '*.pdb' -o -name '*.xml' \) -delete
find "$d" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[a-z]{2}(-[A-Za-z]+)?' -exec rm -rf {} + 2>/dev/null || true
du -sh "$out" | awk '{print ".gpu is " $1 " (the device tool carries at most 64 MiB)"}'
