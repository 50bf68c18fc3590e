using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArrayLang.Backends.Cpu.Runtime;

namespace ArrayLang.Backends.Cpu.Tiles;

/// <summary>
/// A buffer read or written through an index map over a domain: a tile (a range of row-major
/// domain indices) is walked as runs along the innermost dimension, each run a block copy
/// (stride 1), a fill (stride 0, a broadcast) or a strided loop.
/// </summary>
internal sealed class Strided
{
    private readonly long _offset;
    private readonly long[] _strides;
    private readonly long[] _dims;
    private readonly int _size;

    /// <summary>A map with element offset <paramref name="offset"/>, <paramref name="strides"/> over <paramref name="dims"/>, elements of <paramref name="size"/> bytes.</summary>
    public Strided(long offset, IReadOnlyList<long> strides, IReadOnlyList<long> dims, int size)
    {
        _offset = offset;
        _strides = strides.ToArray();
        _dims = dims.ToArray();
        _size = size;
        if (_dims.Length == 0) { _dims = [1]; _strides = [0]; }
    }

    /// <summary>True when domain index <c>f</c> (row-major) is element <c>offset + f</c>: a tile is a dense run.</summary>
    public bool IsDense
    {
        get
        {
            long expect = 1;
            for (int d = _dims.Length - 1; d >= 0; d--)
            {
                if (_dims[d] != 1 && _strides[d] != expect) return false;
                expect *= _dims[d];
            }
            return true;
        }
    }

    /// <summary>The element offset of the first element of a dense tile starting at domain index <paramref name="start"/>.</summary>
    public long DenseStart(long start) => _offset + start;

    /// <summary>Copies domain indices <c>[start, start + count)</c> of <paramref name="buffer"/> into <paramref name="dst"/>,
    /// the map's offset moved by <paramref name="shift"/> elements.</summary>
    public void Gather(in BufferRef buffer, long start, int count, in BufferRef dst, long shift = 0) =>
        Walk(buffer, start, count, dst, gather: true, shift);

    /// <summary>Writes <paramref name="src"/> to domain indices <c>[start, start + count)</c> of <paramref name="buffer"/>.</summary>
    public void Scatter(in BufferRef buffer, long start, int count, in BufferRef src) => Walk(buffer, start, count, src, gather: false, 0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Walk(in BufferRef buffer, long start, int count, in BufferRef tile, bool gather, long shift)
    {
        if (count <= 0) return;
        int rank = _dims.Length;
        Span<long> idx = stackalloc long[rank];
        long rest = start, pos = _offset + shift;
        for (int d = rank - 1; d >= 0; d--)
        {
            idx[d] = rest % _dims[d];
            rest /= _dims[d];
            pos += idx[d] * _strides[d];
        }
        int inner = rank - 1;
        long innerDim = _dims[inner], innerStride = _strides[inner];
        int done = 0;
        while (done < count)
        {
            int run = (int)Math.Min(count - done, innerDim - idx[inner]);
            if (gather) Run(ref buffer.At<byte>(pos * _size), innerStride * _size, ref tile.At<byte>((long)done * _size), _size, run, _size);
            else Run(ref tile.At<byte>((long)done * _size), _size, ref buffer.At<byte>(pos * _size), innerStride * _size, run, _size);
            done += run;
            idx[inner] += run;
            pos += run * innerStride;
            if (idx[inner] < innerDim || done >= count) continue;
            idx[inner] = 0;
            pos -= innerDim * innerStride;
            for (int d = inner - 1; d >= 0; d--)
            {
                idx[d]++;
                pos += _strides[d];
                if (idx[d] < _dims[d]) break;
                pos -= _dims[d] * _strides[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>The element offsets of domain indices <c>[start, start + result.Length)</c>.</summary>
    public void Offsets(long start, Span<long> result)
    {
        if (result.Length == 0) return;
        int rank = _dims.Length;
        Span<long> idx = stackalloc long[rank];
        long rest = start, pos = _offset;
        for (int d = rank - 1; d >= 0; d--)
        {
            idx[d] = rest % _dims[d];
            rest /= _dims[d];
            pos += idx[d] * _strides[d];
        }
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = pos;
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                pos += _strides[d];
                if (idx[d] < _dims[d]) break;
                pos -= _dims[d] * _strides[d];
                idx[d] = 0;
            }
        }
    }

    /// <summary>Copies <paramref name="n"/> elements from <paramref name="src"/> (byte stride <paramref name="srcStep"/>) to <paramref name="dst"/> (byte stride <paramref name="dstStep"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run(ref byte src, long srcStep, ref byte dst, long dstStep, int n, int size)
    {
        if (srcStep == size && dstStep == size)
        {
            Unsafe.CopyBlockUnaligned(ref dst, ref src, (uint)(n * size));
            return;
        }
        if (srcStep == 0 && dstStep == size)
        {
            // A broadcast: one element repeated (Span.Fill is vectorized).
            switch (size)
            {
                case 4: MemoryMarshal.CreateSpan(ref Unsafe.As<byte, int>(ref dst), n).Fill(Unsafe.As<byte, int>(ref src)); return;
                case 8: MemoryMarshal.CreateSpan(ref Unsafe.As<byte, long>(ref dst), n).Fill(Unsafe.As<byte, long>(ref src)); return;
                default: MemoryMarshal.CreateSpan(ref dst, n).Fill(src); return;
            }
        }
        switch (size)
        {
            case 4:
                for (int i = 0; i < n; i++)
                    Unsafe.As<byte, int>(ref Unsafe.AddByteOffset(ref dst, (nint)(i * dstStep))) =
                        Unsafe.As<byte, int>(ref Unsafe.AddByteOffset(ref src, (nint)(i * srcStep)));
                break;
            case 8:
                for (int i = 0; i < n; i++)
                    Unsafe.As<byte, long>(ref Unsafe.AddByteOffset(ref dst, (nint)(i * dstStep))) =
                        Unsafe.As<byte, long>(ref Unsafe.AddByteOffset(ref src, (nint)(i * srcStep)));
                break;
            default:
                for (int i = 0; i < n; i++)
                    Unsafe.AddByteOffset(ref dst, (nint)(i * dstStep)) = Unsafe.AddByteOffset(ref src, (nint)(i * srcStep));
                break;
        }
    }
}
