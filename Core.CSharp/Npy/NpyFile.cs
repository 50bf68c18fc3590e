using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ArrayLang.Ir;
using ArrayLang.Values;

namespace ArrayLang.Npy;

/// <summary>A .npy file that cannot be read or written: the message names the file and the problem.</summary>
public sealed class NpyException : IrException
{
    /// <summary>Creates an error about the file or stream called <paramref name="name"/>.</summary>
    public NpyException(string name, string problem) : base($"{name}: {problem}") { Name = name; Problem = problem; }

    /// <summary>The file (or stream) name.</summary>
    public string Name { get; }

    /// <summary>What is wrong, without the name.</summary>
    public string Problem { get; }
}

/// <summary>
/// Reads and writes NumPy's .npy format (versions 1.0, 2.0 and 3.0): little-endian, C order,
/// dtypes <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i4</c> and <c>|b1</c> (f32, f64, i32, bool), any rank
/// including 0-d and empty arrays. Anything else (bad magic, a truncated header or data, Fortran
/// order, big-endian or unsupported dtypes, a malformed header dict, trailing bytes, a bool byte
/// other than 0 or 1) is an <see cref="NpyException"/>, never a silent misread. Writes version 1.0
/// (2.0 only when the header would not fit 1.0's 16-bit length) with the header padded with spaces
/// to a multiple of 64 bytes and ending in <c>'\n'</c>, as NumPy does.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The longest header read, as NumPy's <c>np.load</c> (its <c>max_header_size</c>).</summary>
    public const int MaxHeaderBytes = 10000;

    /// <summary>The descr strings this reader accepts and the dtype each maps to.</summary>
    public static readonly IReadOnlyDictionary<string, DType> SupportedDescrs = new Dictionary<string, DType>
    {
        ["<f4"] = DType.F32,
        ["<f8"] = DType.F64,
        ["<i4"] = DType.I32,
        ["|b1"] = DType.Bool,
    };

    /// <summary>Reads the array stored in the .npy file at <paramref name="path"/>.</summary>
    public static NDArray Read(string path)
    {
        FileStream stream;
        try { stream = File.OpenRead(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new NpyException(path, $"cannot open the file: {e.Message}");
        }
        using (stream) return Read(stream, path);
    }

    /// <summary>Reads one array from <paramref name="stream"/>, which must hold exactly one .npy
    /// image; <paramref name="name"/> names it in error messages.</summary>
    public static NDArray Read(Stream stream, string name)
    {
        var prelude = new byte[8];
        int got = ReadFully(stream, prelude);
        if (got < Magic.Length || !prelude.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new NpyException(name, "not a .npy file (it does not start with the magic string \\x93NUMPY)");
        if (got < 8) throw new NpyException(name, "truncated: the file ends inside the format version");
        int major = prelude[6], minor = prelude[7];
        if (major is not (1 or 2 or 3) || minor != 0)
            throw new NpyException(name, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");

        int lenSize = major == 1 ? 2 : 4;
        var lenBytes = new byte[lenSize];
        if (ReadFully(stream, lenBytes) < lenSize) throw new NpyException(name, "truncated: the file ends inside the header length");
        long headerLen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lenBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lenBytes);
        if (headerLen > MaxHeaderBytes)
            throw new NpyException(name, $"the header is {headerLen} bytes long; NumPy reads headers up to {MaxHeaderBytes} bytes (its max_header_size), so the file is corrupt or not meant for np.load");
        var headerBytes = new byte[headerLen];
        int hgot = ReadFully(stream, headerBytes);
        if (hgot < headerLen)
            throw new NpyException(name, $"truncated: the header should be {headerLen} bytes, but the file ends after {hgot}");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var (descr, fortran, dims) = ParseHeader(header, name);
        if (fortran) throw new NpyException(name, "Fortran-order (column-major) arrays are not supported; save a C-order array (np.ascontiguousarray)");
        if (!SupportedDescrs.TryGetValue(descr, out var dtype))
            throw new NpyException(name, DescribeUnsupported(descr));

        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
            if (count * dtype.SizeInBytes() > Array.MaxLength) throw new NpyException(name, $"the shape ({string.Join(", ", dims)}) holds too many elements for one array");
        }
        var shape = new Shape(dims.Select(d => (int)d));
        var array = NDArray.Zeros(new AVal(dtype, shape));
        var bytes = DataBytes(array);
        int dgot = ReadFully(stream, bytes);
        long want = count * dtype.SizeInBytes();
        if (dgot < bytes.Length)
            throw new NpyException(name, $"truncated: a {dtype.Name()}{shape} array needs {want} data bytes, but the file holds {dgot}");
        if (stream.ReadByte() >= 0)
            throw new NpyException(name, $"wrong data length: a {dtype.Name()}{shape} array needs {want} data bytes, but the file holds more");

        if (!BitConverter.IsLittleEndian) ReverseElements(bytes, dtype.SizeInBytes());
        if (dtype == DType.Bool)
            for (int i = 0; i < bytes.Length; i++)
                if (bytes[i] > 1)
                    throw new NpyException(name, $"bool element {i} holds the byte {bytes[i]}; a bool is stored as 0 or 1");
        return array;
    }

    /// <summary>Writes <paramref name="array"/> to the file at <paramref name="path"/> (replacing it).</summary>
    public static void Write(string path, NDArray array)
    {
        FileStream stream;
        try { stream = File.Create(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new NpyException(path, $"cannot create the file: {e.Message}");
        }
        using (stream) Write(stream, array);
    }

    /// <summary>Writes <paramref name="array"/> to <paramref name="stream"/> as one .npy image.</summary>
    public static void Write(Stream stream, NDArray array)
    {
        var descr = SupportedDescrs.First(kv => kv.Value == array.DType).Key;
        var shape = array.Shape.Rank switch
        {
            0 => "()",
            1 => $"({array.Shape[0]},)",
            _ => "(" + string.Join(", ", array.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // magic (6) + version (2) + length (2 or 4) + dict + padding + '\n' is a multiple of 64.
        int major = 1, prefix = 10;
        int total = Align64(prefix + dict.Length + 1);
        if (total - prefix > ushort.MaxValue)
        {
            major = 2;
            prefix = 12;
            total = Align64(prefix + dict.Length + 1);
        }
        var header = dict + new string(' ', total - prefix - dict.Length - 1) + "\n";

        var pre = new byte[prefix];
        Magic.CopyTo(pre, 0);
        pre[6] = (byte)major;
        pre[7] = 0;
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(pre.AsSpan(8), (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(pre.AsSpan(8), (uint)header.Length);
        stream.Write(pre);
        stream.Write(Encoding.Latin1.GetBytes(header));

        var bytes = DataBytes(array);
        if (BitConverter.IsLittleEndian) stream.Write(bytes);
        else
        {
            var copy = bytes.ToArray();
            ReverseElements(copy, array.DType.SizeInBytes());
            stream.Write(copy);
        }
    }

    private static int Align64(int n) => (n + 63) / 64 * 64;

    /// <summary>The array's data viewed as bytes (a bool is one byte, 0 or 1, in .NET and in .npy).</summary>
    private static Span<byte> DataBytes(NDArray a) => a.Data switch
    {
        float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => MemoryMarshal.AsBytes(d.AsSpan()),
        int[] n => MemoryMarshal.AsBytes(n.AsSpan()),
        bool[] b => MemoryMarshal.AsBytes(b.AsSpan()),
        _ => throw new InvalidOperationException($"no .npy layout for {a.Type}"),
    };

    private static void ReverseElements(Span<byte> bytes, int size)
    {
        if (size == 1) return;
        for (int i = 0; i + size <= bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string DescribeUnsupported(string descr)
    {
        var supported = "supported: '<f4' (f32), '<f8' (f64), '<i4' (i32), '|b1' (bool)";
        if (descr.Length >= 2 && descr[0] == '>' && SupportedDescrs.ContainsKey("<" + descr[1..]))
            return $"big-endian data ('{descr}') is not supported; save it little-endian (arr.astype('<{descr[1..]}')); {supported}";
        var hint = descr switch
        {
            "<i8" or ">i8" or "<u4" or "|u1" or "<i2" or "|i1" or "<u8" or "<u2" => " (convert integers with arr.astype(np.int32))",
            "<f2" or "<c8" or "<c16" or "<f16" => " (convert with arr.astype(np.float32) or np.float64)",
            _ => "",
        };
        return $"unsupported dtype descr '{descr}'{hint}; {supported}";
    }

    // ---- header: a Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (3,), }

    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string header, string name)
    {
        // NumPy evaluates the header as a Python literal, which refuses a NUL anywhere and any
        // character outside ASCII's printable ones and Python's whitespace (an NBSP, a vertical
        // tab) outside a string; within a string such a character can only make a key or descr
        // NumPy does not know. So any such character is an error here, wherever it is.
        for (int i = 0; i < header.Length; i++)
        {
            char c = header[i];
            if (c is >= ' ' and <= '~' || IsHeaderSpace(c)) continue;
            throw new NpyException(name,
                $"the header holds the character U+{(int)c:X4} at byte {i + 1}; a .npy header is printable ASCII text (NumPy rejects it too)");
        }
        var p = new HeaderParser(header, name);
        var dict = p.ParseDict();
        var known = new[] { "descr", "fortran_order", "shape" };
        foreach (var k in dict.Keys)
            if (!known.Contains(k))
                throw new NpyException(name, $"the header has an unexpected key '{k}' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
        foreach (var k in known)
            if (!dict.ContainsKey(k))
                throw new NpyException(name, $"the header lacks the key '{k}': {header.TrimEnd()}");
        var descr = dict["descr"] as string
            ?? throw new NpyException(name, $"the header's 'descr' must be a string such as '<f4' (structured dtypes are not supported), found {Show(dict["descr"])}");
        var fortran = dict["fortran_order"] as bool?
            ?? throw new NpyException(name, $"the header's 'fortran_order' must be True or False, found {Show(dict["fortran_order"])}");
        var shape = dict["shape"] as long[]
            ?? throw new NpyException(name, $"the header's 'shape' must be a tuple of integers, found {Show(dict["shape"])}");
        foreach (var d in shape)
            if (d is < 0 or > int.MaxValue)
                throw new NpyException(name, $"the shape ({string.Join(", ", shape)}) has a dimension outside 0..{int.MaxValue}");
        return (descr, fortran, shape);
    }

    /// <summary>Python's whitespace between tokens: space, tab, form feed and the line ends.</summary>
    private static bool IsHeaderSpace(char c) => c is ' ' or '\t' or '\f' or '\n' or '\r';

    private static string Show(object? v) => v switch
    {
        null => "nothing",
        string s => $"'{s}'",
        bool b => b ? "True" : "False",
        long[] t => "(" + string.Join(", ", t) + ")",
        long n => n.ToString(CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "?",
    };

    /// <summary>A small parser for the header's dict literal: string keys; string, True/False, integer and tuple-of-integer values.</summary>
    private sealed class HeaderParser(string text, string name)
    {
        private int _pos;

        private NpyException Error(string what) =>
            new(name, $"malformed header at character {_pos + 1}: {what} in {text.TrimEnd()}");

        private void SkipSpace()
        {
            while (_pos < text.Length && IsHeaderSpace(text[_pos])) _pos++;
        }

        private char PeekChar() { SkipSpace(); return _pos < text.Length ? text[_pos] : '\0'; }

        private void Expect(char c)
        {
            if (PeekChar() != c) throw Error($"expected '{c}', found {(_pos < text.Length ? $"'{text[_pos]}'" : "the end of the header")}");
            _pos++;
        }

        public Dictionary<string, object> ParseDict()
        {
            var d = new Dictionary<string, object>();
            Expect('{');
            while (PeekChar() != '}')
            {
                var key = ParseString();
                Expect(':');
                var value = ParseValue();
                if (!d.TryAdd(key, value)) throw Error($"the key '{key}' appears twice");
                if (PeekChar() == ',') { _pos++; continue; }
                if (PeekChar() != '}') throw Error("expected ',' or '}' after a value");
            }
            _pos++;
            if (PeekChar() != '\0') throw Error("unexpected text after the closing '}'");
            return d;
        }

        private string ParseString()
        {
            char q = PeekChar();
            if (q is not ('\'' or '"')) throw Error("expected a quoted string");
            int start = ++_pos;
            while (_pos < text.Length && text[_pos] != q)
            {
                if (text[_pos] == '\\') throw Error("escapes in strings are not supported");
                _pos++;
            }
            if (_pos >= text.Length) throw Error("a string is not closed");
            return text[start.._pos++];
        }

        private object ParseValue()
        {
            char c = PeekChar();
            if (c is '\'' or '"') return ParseString();
            if (c == '(') return ParseTuple();
            if (c == '-' || char.IsAsciiDigit(c)) return ParseInt();
            if (char.IsAsciiLetter(c))
            {
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiLetterOrDigit(text[_pos])) _pos++;
                var word = text[start.._pos];
                return word switch
                {
                    "True" => true,
                    "False" => false,
                    _ => throw Error($"unexpected word '{word}'"),
                };
            }
            if (c == '[') throw Error("a list value (a structured dtype?) is not supported");
            throw Error("expected a value");
        }

        private long ParseInt()
        {
            SkipSpace();
            int start = _pos;
            if (_pos < text.Length && text[_pos] == '-') _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            if (!long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                throw Error($"'{text[start.._pos]}' is not a valid integer");
            // Python 2 wrote longs as 3L.
            if (_pos < text.Length && text[_pos] == 'L') _pos++;
            return n;
        }

        private long[] ParseTuple()
        {
            Expect('(');
            var items = new List<long>();
            bool comma = false;
            while (PeekChar() != ')')
            {
                if (!(PeekChar() == '-' || char.IsAsciiDigit(PeekChar()))) throw Error("expected an integer in the shape tuple");
                items.Add(ParseInt());
                if (PeekChar() == ',') { _pos++; comma = true; continue; }
                if (PeekChar() != ')') throw Error("expected ',' or ')' in the shape tuple");
            }
            if (items.Count == 1 && !comma) throw Error("a one-item tuple needs a trailing comma, as in (3,)");
            _pos++;
            return items.ToArray();
        }
    }
}
