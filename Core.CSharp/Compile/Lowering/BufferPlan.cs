using System.Collections.Immutable;

namespace ArrayLang.Compile.Lowering;

/// <summary>
/// Where each intermediate buffer lives in one arena, by liveness (Note [buffer plan]), and how
/// much memory a call needs, known before it runs.
/// </summary>
/// <remarks>
/// Note [buffer plan]: an intermediate is live from the kernel that writes it to the last kernel
/// that reads it. Two intermediates whose live ranges do not overlap may share bytes. Buffers are
/// placed largest first at the lowest aligned offset (<see cref="LoweringOptions.Alignment"/>, 64 bytes by default) that overlaps no already placed
/// buffer with an overlapping live range (the greedy-by-size strategy of TFLite's arena planner).
/// A kernel never writes a buffer it reads, so reuse is safe at kernel granularity. The peak
/// adds the outputs (allocated per call) and, for control flow, the largest sub-program's peak plus
/// the double-buffered carries, since sub-programs run one step at a time.
/// </remarks>
/// <param name="Offsets">Byte offset of each buffer in the arena, by buffer id; -1 for buffers outside it.</param>
/// <param name="ArenaBytes">The arena's size: the bytes all intermediates need after reuse.</param>
/// <param name="IntermediateBytes">The bytes the intermediates would need without reuse.</param>
/// <param name="OutputBytes">The bytes of the results.</param>
/// <param name="TransientBytes">The largest extra memory one kernel needs while it runs (a sub-program's peak and carries).</param>
public sealed record BufferPlan(ImmutableArray<long> Offsets, long ArenaBytes, long IntermediateBytes, long OutputBytes,
    long TransientBytes)
{
    /// <summary>The memory a call allocates at its peak: arena, outputs and the largest transient need.</summary>
    public long PeakBytes => ArenaBytes + OutputBytes + TransientBytes;

    /// <summary>Plans <paramref name="buffers"/> for <paramref name="kernels"/> run in order.</summary>
    public static BufferPlan Build(IReadOnlyList<BufferInfo> buffers, IReadOnlyList<Kernel> kernels, int alignment = 64)
    {
        if (alignment < 1 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "the alignment must be a power of two");
        int n = buffers.Count;
        var first = Enumerable.Repeat(int.MaxValue, n).ToArray();
        var last = Enumerable.Repeat(-1, n).ToArray();
        for (int k = 0; k < kernels.Count; k++)
        {
            foreach (var w in kernels[k].Writes) { first[w] = Math.Min(first[w], k); last[w] = Math.Max(last[w], k); }
            foreach (var r in kernels[k].Reads) { first[r] = Math.Min(first[r], k); last[r] = Math.Max(last[r], k); }
        }

        var offsets = Enumerable.Repeat(-1L, n).ToArray();
        var placed = new List<(long Offset, long Size, int First, int Last)>();
        long arena = 0, total = 0;
        var order = buffers.Where(b => b.Kind == BufferKind.Intermediate)
            .OrderByDescending(b => b.Bytes).ThenBy(b => b.Id).ToList();
        foreach (var b in order)
        {
            long size = (b.Bytes + alignment - 1) / alignment * alignment;
            total += size;
            int f = first[b.Id] == int.MaxValue ? 0 : first[b.Id], l = Math.Max(last[b.Id], f);
            var conflicts = placed.Where(p => p.First <= l && f <= p.Last).OrderBy(p => p.Offset).ToList();
            long offset = 0;
            foreach (var p in conflicts)
            {
                if (offset + size <= p.Offset) break;
                offset = Math.Max(offset, p.Offset + p.Size);
            }
            offsets[b.Id] = offset;
            placed.Add((offset, size, f, l));
            arena = Math.Max(arena, offset + size);
        }

        long outputs = buffers.Where(b => b.Kind == BufferKind.Output).Sum(b => b.Bytes);
        long transient = 0;
        foreach (var k in kernels.OfType<PrimitiveKernel>())
        {
            if (k.SubPrograms.Length == 0) continue;
            long sub = k.SubPrograms.Max(p => p.Plan.PeakBytes);
            long carries = k.Outputs.Sum(o => buffers[o].Bytes); // upper bound on the double-buffered state
            transient = Math.Max(transient, sub + carries);
        }
        return new BufferPlan(offsets.ToImmutableArray(), arena, total, outputs, transient);
    }
}
