using System.Diagnostics;
using System.Globalization;
using System.Text;
using ArrayLang.Backends;
using ArrayLang.Backends.Cuda.Runtime;
using ArrayLang.Bench.Harness;
using ArrayLang.Bench.Workloads;
using ArrayLang.Compile;
using ArrayLang.Transforms;
using ILGPU;
using ILGPU.Runtime;

// Device-resident timing of BENCH.md's W1-W5 on the GPU backends (tools/gpu/README.md): for each
// backend, jit(vmap f) at the full batch, arguments Put once, each timed call RunOnDevice then
// BlockUntilReady, results checked once against the workload's oracle; plus the copy bandwidth of a
// 2^26-float copy on the CUDA device, the yardstick of W1 and W2; and the compile time of a fresh
// kernel. One JSON object per line.

var options = Options.Parse(args);
var json = new StringBuilder();
void Emit(string line)
{
    Console.WriteLine("JSON " + line);
    json.AppendLine(line);
}
string Num(double d) => double.IsFinite(d) ? d.ToString("G6", CultureInfo.InvariantCulture) : "null";

Workload[] workloads = [new W1Elementwise(), new W2Chain(), new W3Dense(), new W4OuterSum(), new W5Recurrence()];
foreach (var name in options.Backends)
{
    var provider = BackendCatalog.Find(name);
    if (provider is null || provider.Unavailable is not null)
    {
        Console.WriteLine($"backend {name}: skipped ({provider?.Unavailable ?? "not in the catalog"})");
        Emit($"{{\"backend\":\"{name}\",\"skipped\":\"{(provider?.Unavailable ?? "not in the catalog").Replace("\"", "'")}\"}}");
        continue;
    }
    var backend = provider.Create(CompileOptions.Default);
    Console.WriteLine($"backend {name}: {backend.Name}");
    foreach (var w in workloads.Where(w => options.Workloads.Contains(w.Id)))
    {
        try
        {
            w.Prepare(42);
            var f = w.PerExample;
            var sw = Stopwatch.StartNew();
            var batched = Vmap.Apply(f.Function, w.Batch, Methods.InAxesWithConsts(w));
            var exe = backend.Compile(batched);
            double compileMs = sw.Elapsed.TotalMilliseconds;
            var onDevice = f.Constants.Concat(w.BatchedArguments(w.Batch)).Select(backend.Put).ToArray();
            sw.Restart();
            var first = exe.RunOnDevice(onDevice);
            first[0].BlockUntilReady();
            double firstMs = sw.Elapsed.TotalMilliseconds;
            w.Verify($"{name} jit(vmap)", first.Select(r => r.ToHost().F32).ToArray(), w.Batch);
            foreach (var r in first) r.Dispose();
            var times = new double[options.Reps];
            for (int rep = -options.Warmup; rep < options.Reps; rep++)
            {
                sw.Restart();
                var r = exe.RunOnDevice(onDevice);
                r[0].BlockUntilReady();
                if (rep >= 0) times[rep] = sw.Elapsed.TotalMilliseconds;
                foreach (var x in r) x.Dispose();
            }
            foreach (var a in onDevice) a.Dispose();
            Array.Sort(times);
            double median = times[times.Length / 2], min = times[0];
            double gbps = w.BytesPerExample * (double)w.Batch / (median * 1e-3) / 1e9;
            Console.WriteLine($"  {w.Id}: median {median:F4} ms, min {min:F4} ms, {gbps:F0} GB/s, compile {compileMs:F0} ms, first call {firstMs:F1} ms, max error {w.LastMaxError:G3}");
            Emit($"{{\"backend\":\"{name}\",\"device\":\"{backend.Name}\",\"workload\":\"{w.Id}\",\"method\":\"jit(vmap) device-resident\",\"batch\":{w.Batch}," +
                 $"\"median_ms\":{Num(median)},\"min_ms\":{Num(min)},\"reps\":{options.Reps},\"gbps\":{Num(gbps)},\"compile_ms\":{Num(compileMs)},\"first_call_ms\":{Num(firstMs)},\"max_error\":{Num(w.LastMaxError)}}}");
        }
        catch (Exception e)
        {
            Console.WriteLine($"  {w.Id}: FAILED {e.GetType().Name}: {e.Message}");
            Emit($"{{\"backend\":\"{name}\",\"workload\":\"{w.Id}\",\"error\":\"{e.Message.Replace("\\", "/").Replace("\"", "'").ReplaceLineEndings(" ")}\"}}");
        }
        finally
        {
            w.Release();
        }
    }
}

if (options.Backends.Contains("cuda") && DeviceContext.Unavailable is null)
{
    // The copy yardstick: dst[i] = src[i] over 2^26 floats (512 MiB moved per call).
    var device = DeviceContext.Default;
    int n = options.CopyElements;
    using var src = device.Accelerator.Allocate1D<float>(n);
    using var dst = device.Accelerator.Allocate1D<float>(n);
    var method = typeof(ArrayLang.Backends.Cuda.Device.PrimitiveKernels).GetMethod("Copy")!.MakeGenericMethod(typeof(float));
    var kernel = device.Accelerator is ILGPU.Runtime.Cuda.CudaAccelerator cuda ? PtxLink.Load(cuda, method) : device.Accelerator.LoadAutoGroupedKernel(method);
    var launch = kernel.CreateLauncherDelegate<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>>>();
    var times = new double[options.Reps];
    var sw = new Stopwatch();
    for (int rep = -options.Warmup; rep < options.Reps; rep++)
    {
        sw.Restart();
        launch(device.Stream, n, dst.View, src.View);
        device.Stream.Synchronize();
        if (rep >= 0) times[rep] = sw.Elapsed.TotalMilliseconds;
    }
    Array.Sort(times);
    double bytes = 2.0 * 4 * n;
    Console.WriteLine($"copy of {n} floats: median {times[times.Length / 2]:F4} ms = {bytes / (times[times.Length / 2] * 1e-3) / 1e9:F0} GB/s, best {bytes / (times[0] * 1e-3) / 1e9:F0} GB/s");
    Emit($"{{\"backend\":\"cuda\",\"device\":\"{device.Description}\",\"workload\":\"copy\",\"elements\":{n},\"median_ms\":{Num(times[times.Length / 2])},\"min_ms\":{Num(times[0])}," +
         $"\"gbps\":{Num(bytes / (times[times.Length / 2] * 1e-3) / 1e9)},\"best_gbps\":{Num(bytes / (times[0] * 1e-3) / 1e9)}}}");
}

if (options.Backends.Contains("cuda") && DeviceContext.Unavailable is null && options.FreshKernels > 0)
{
    // Compile time of a fresh kernel: functions that differ only in a constant, so each one's
    // kernel text is new and nothing comes from the cache. On a GPU: ILGPU's PTX, the link and the
    // driver's JIT; on the emulator: ILGPU's compilation for the CPU accelerator. Also the offline
    // sm_90 PTX of each kernel (ILGPU and the link, no driver), which needs no GPU.
    var device = DeviceContext.Default;
    var backend = ArrayLang.Backends.Cuda.CudaBackend.Default;
    var load = new double[options.FreshKernels];
    var ptx = new double[options.FreshKernels];
    var stamp = Stopwatch.GetTimestamp();
    for (int i = 0; i < options.FreshKernels; i++)
    {
        var f = ArrayLang.Ir.IrParser.ParseFunction(string.Create(CultureInfo.InvariantCulture,
            $"func fresh{i}(x: f32[4096]) -> (f32[4096]) {{ a: f32[4096] = mul(x, {1.5 + stamp % 1000 * 1e-3 + i * 1e-6:R}) b: f32[4096] = tanh(a) c: f32[4096] = exp(x) d: f32[4096] = add(b, c) return (d) }}"));
        var (before, _) = device.CompileTotals;
        var exe = (ArrayLang.Backends.Cuda.CudaExecutable)backend.Compile(f);
        var (after, _) = device.CompileTotals;
        if (after != before + 1) throw new InvalidOperationException($"expected one fresh kernel, {after - before} were compiled");
        load[i] = device.LastCompileMs;
        var sw = Stopwatch.StartNew();
        foreach (var (_, m) in exe.Kernels) PtxLink.OfflinePtx(m);
        ptx[i] = sw.Elapsed.TotalMilliseconds;
    }
    // The first of each pays for warming ILGPU and the JIT: medians.
    Array.Sort(load);
    Array.Sort(ptx);
    double loadMs = load[load.Length / 2], ptxMs = ptx[ptx.Length / 2];
    Console.WriteLine($"fresh kernel ({options.FreshKernels} kernels, {device.Description}): compile and load median {loadMs:F1} ms (max {load[^1]:F1}); offline sm_90 PTX median {ptxMs:F1} ms");
    Emit($"{{\"backend\":\"cuda\",\"device\":\"{device.Description}\",\"workload\":\"fresh-kernel\",\"kernels\":{options.FreshKernels}," +
         $"\"compile_ms\":{Num(loadMs)},\"max_compile_ms\":{Num(load[^1])},\"offline_ptx_ms\":{Num(ptxMs)}}}");
}

if (options.Out is not null) File.WriteAllText(options.Out, json.ToString());
return 0;

/// <summary>Command-line options: <c>--backends cuda,opencl --workloads W1,W2 --reps 20 --warmup 3 --copy-elements N --fresh-kernels N --out FILE</c> (<c>--workloads none</c> runs none).</summary>
internal sealed record Options(string[] Backends, string[] Workloads, int Reps, int Warmup, int CopyElements, int FreshKernels, string? Out)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(["cuda", "opencl"], ["W1", "W2", "W3", "W4", "W5"], 20, 3, 1 << 26, 10, null);
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string v = args[i + 1];
            o = args[i] switch
            {
                "--backends" => o with { Backends = v.Split(',') },
                "--workloads" => o with { Workloads = v.Split(',') },
                "--reps" => o with { Reps = int.Parse(v, CultureInfo.InvariantCulture) },
                "--warmup" => o with { Warmup = int.Parse(v, CultureInfo.InvariantCulture) },
                "--copy-elements" => o with { CopyElements = int.Parse(v, CultureInfo.InvariantCulture) },
                "--fresh-kernels" => o with { FreshKernels = int.Parse(v, CultureInfo.InvariantCulture) },
                "--out" => o with { Out = v },
                _ => throw new ArgumentException($"unknown option {args[i]} (expected --backends, --workloads, --reps, --warmup, --copy-elements, --fresh-kernels or --out)"),
            };
        }
        return o;
    }
}
