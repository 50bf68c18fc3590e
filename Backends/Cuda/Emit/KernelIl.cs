using System.Reflection;
using System.Reflection.Emit;
using ArrayLang.Ir;
using ILGPU;

namespace ArrayLang.Backends.Cuda.Emit;

/// <summary>
/// One kernel method being emitted: <c>static void Kernel(Index1D i, ArrayView&lt;T0&gt; b0, ...)</c>
/// in a type of its own in a collectible dynamic assembly (GPU.md: ILGPU compiles such methods
/// for PTX; a <c>DynamicMethod</c> would fail and poison the ILGPU context). Parameter <c>k + 1</c>
/// is the k-th buffer the kernel touches; bools are bytes in memory and i32 0/1 on the stack.
/// An explicitly grouped kernel (shared memory and group barriers) has no index parameter: the
/// k-th buffer is parameter <c>k</c>, and it reads its place from <c>Grid.IdxX</c> and <c>Group.IdxX</c>.
/// </summary>
internal sealed class KernelIl
{
    private static int _counter;
    private readonly TypeBuilder _type;
    private readonly MethodBuilder _method;
    private readonly Dictionary<int, int> _paramOfBuffer = new();

    /// <summary>Starts a kernel over the given buffers (ids and dtypes, in parameter order).</summary>
    public KernelIl(string name, IReadOnlyList<(int Buffer, DType DType)> buffers, bool grouped = false)
    {
        int first = grouped ? 0 : 1;
        int id = Interlocked.Increment(ref _counter);
        var asmName = new AssemblyName($"ArrayLang.Cuda.Kernel{id}");
        var assembly = AssemblyBuilder.DefineDynamicAssembly(asmName, AssemblyBuilderAccess.RunAndCollect);
        var module = assembly.DefineDynamicModule(asmName.Name!);
        _type = module.DefineType($"ArrayLang.Cuda.Generated.{name}{id}",
            TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class);
        var parameters = new Type[buffers.Count + first];
        if (!grouped) parameters[0] = typeof(Index1D);
        for (int k = 0; k < buffers.Count; k++)
        {
            parameters[k + first] = ViewType(buffers[k].DType);
            _paramOfBuffer.Add(buffers[k].Buffer, k + first);
        }
        Buffers = buffers;
        _method = _type.DefineMethod("Kernel", MethodAttributes.Public | MethodAttributes.Static, typeof(void), parameters);
        Il = _method.GetILGenerator();
    }

    /// <summary>The IL generator of the kernel body.</summary>
    public ILGenerator Il { get; }

    /// <summary>The kernel's buffers in parameter order.</summary>
    public IReadOnlyList<(int Buffer, DType DType)> Buffers { get; }

    /// <summary>The CLR element type of a buffer of <paramref name="d"/> (bool is a byte).</summary>
    public static Type ElementType(DType d) => d switch
    {
        DType.F32 => typeof(float),
        DType.F64 => typeof(double),
        DType.I32 => typeof(int),
        DType.Bool => typeof(byte),
        _ => throw new NotSupportedException($"the CUDA backend has no element type for {d}"),
    };

    /// <summary>The CLR type a value of <paramref name="d"/> has in a local (bool is an i32 0/1).</summary>
    public static Type StackType(DType d) => d == DType.Bool ? typeof(int) : ElementType(d);

    /// <summary><c>ArrayView&lt;T&gt;</c> of <paramref name="d"/>'s element type.</summary>
    public static Type ViewType(DType d) => typeof(ArrayView<>).MakeGenericType(ElementType(d));

    /// <summary>A new local holding a value of <paramref name="d"/>.</summary>
    public LocalBuilder Local(DType d) => Il.DeclareLocal(StackType(d));

    /// <summary>A new i32 local.</summary>
    public LocalBuilder IntLocal() => Il.DeclareLocal(typeof(int));

    /// <summary>Pushes the thread index (an i32).</summary>
    public void LoadThreadIndex()
    {
        Il.Emit(OpCodes.Ldarg_0);
        Il.Emit(OpCodes.Call, IndexToInt);
    }

    /// <summary>Pushes the index of this thread's group in the grid (an explicitly grouped kernel).</summary>
    public void LoadGroupIndex() => Il.Emit(OpCodes.Call, typeof(Grid).GetProperty(nameof(Grid.IdxX))!.GetMethod!);

    /// <summary>Pushes the index of this thread in its group (an explicitly grouped kernel).</summary>
    public void LoadIndexInGroup() => Il.Emit(OpCodes.Call, typeof(Group).GetProperty(nameof(Group.IdxX))!.GetMethod!);

    /// <summary>Waits until every thread of the group got here (and sees the group's shared-memory writes).</summary>
    public void GroupBarrier() => Il.Emit(OpCodes.Call, typeof(Group).GetMethod(nameof(Group.Barrier), Type.EmptyTypes)!);

    /// <summary>A new local holding a view of <paramref name="length"/> elements of <paramref name="d"/> in the group's shared memory.</summary>
    public LocalBuilder SharedArray(DType d, int length) => SharedArray(ElementType(d), length);

    /// <summary>A new local holding a view of <paramref name="length"/> elements of type <paramref name="element"/> in the group's shared memory.</summary>
    public LocalBuilder SharedArray(Type element, int length)
    {
        var local = Il.DeclareLocal(typeof(ArrayView<>).MakeGenericType(element));
        Int(length);
        var allocate = typeof(SharedMemory).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == nameof(SharedMemory.Allocate) && m.IsGenericMethodDefinition && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(int));
        Il.Emit(OpCodes.Call, allocate.MakeGenericMethod(element));
        Il.Emit(OpCodes.Stloc, local);
        return local;
    }

    /// <summary>Pushes the address of element <paramref name="index"/> of the view of <paramref name="d"/> in local <paramref name="view"/>.</summary>
    public void PushViewAddress(LocalBuilder view, DType d, LocalBuilder index) => PushViewAddress(view, ElementType(d), index);

    /// <summary>Pushes the address of element <paramref name="index"/> of the view of <paramref name="element"/> in local <paramref name="view"/>.</summary>
    public void PushViewAddress(LocalBuilder view, Type element, LocalBuilder index)
    {
        Il.Emit(OpCodes.Ldloca, view);
        Il.Emit(OpCodes.Ldloc, index);
        Il.Emit(OpCodes.Call, typeof(ArrayView<>).MakeGenericType(element).GetMethod("get_Item", [typeof(int)])!);
    }

    /// <summary>Loads the element of <paramref name="d"/> at the address on the stack.</summary>
    public void LoadIndirect(DType d) => Il.Emit(d switch
    {
        DType.F32 => OpCodes.Ldind_R4,
        DType.F64 => OpCodes.Ldind_R8,
        DType.I32 => OpCodes.Ldind_I4,
        _ => OpCodes.Ldind_U1,
    });

    /// <summary>Stores the value on the stack (above its address) as an element of <paramref name="d"/>.</summary>
    public void StoreIndirect(DType d)
    {
        switch (d)
        {
            case DType.F32: Il.Emit(OpCodes.Stind_R4); break;
            case DType.F64: Il.Emit(OpCodes.Stind_R8); break;
            case DType.I32: Il.Emit(OpCodes.Stind_I4); break;
            default: Il.Emit(OpCodes.Conv_U1); Il.Emit(OpCodes.Stind_I1); break;
        }
    }

    /// <summary>Pushes the address of element <paramref name="index"/> of buffer <paramref name="buffer"/>.</summary>
    public void PushAddress(int buffer, DType d, LocalBuilder index)
    {
        int p = _paramOfBuffer[buffer];
        Il.Emit(OpCodes.Ldarga, (short)p);
        Il.Emit(OpCodes.Ldloc, index);
        Il.Emit(OpCodes.Call, ViewType(d).GetMethod("get_Item", [typeof(int)])!);
    }

    /// <summary>Pushes element <paramref name="index"/> of buffer <paramref name="buffer"/>.</summary>
    public void LoadElement(int buffer, DType d, LocalBuilder index)
    {
        PushAddress(buffer, d, index);
        LoadIndirect(d);
    }

    /// <summary>Stores the value of local <paramref name="value"/> at element <paramref name="index"/> of <paramref name="buffer"/>.</summary>
    public void StoreElement(int buffer, DType d, LocalBuilder index, LocalBuilder value)
    {
        PushAddress(buffer, d, index);
        Il.Emit(OpCodes.Ldloc, value);
        StoreIndirect(d);
    }

    /// <summary>Pushes an i32 constant.</summary>
    public void Int(long value)
    {
        if (value < int.MinValue || value > int.MaxValue)
            throw new NotSupportedException($"the CUDA backend indexes with 32-bit integers; {value} is out of range");
        Il.Emit(OpCodes.Ldc_I4, (int)value);
    }

    /// <summary>Pushes a constant of <paramref name="d"/>.</summary>
    public void Constant(DType d, double value)
    {
        switch (d)
        {
            case DType.F32: Il.Emit(OpCodes.Ldc_R4, (float)value); break;
            case DType.F64: Il.Emit(OpCodes.Ldc_R8, value); break;
            default: Il.Emit(OpCodes.Ldc_I4, (int)value); break;
        }
    }

    /// <summary>Emits <c>target = target + stride * coordinate</c> (nothing for a zero stride).</summary>
    public void AddScaled(LocalBuilder target, LocalBuilder coordinate, long stride)
    {
        if (stride == 0) return;
        Il.Emit(OpCodes.Ldloc, target);
        Il.Emit(OpCodes.Ldloc, coordinate);
        if (stride != 1) { Int(stride); Il.Emit(OpCodes.Mul); }
        Il.Emit(OpCodes.Add);
        Il.Emit(OpCodes.Stloc, target);
    }

    /// <summary>
    /// Splits the linear index in <paramref name="linear"/> into row-major coordinates over
    /// <paramref name="dims"/>, one new local each (a size-1 dimension gets the constant 0).
    /// </summary>
    public LocalBuilder[] Coordinates(LocalBuilder linear, IReadOnlyList<int> dims)
    {
        var coords = new LocalBuilder[dims.Count];
        long stride = 1;
        var strides = new long[dims.Count];
        for (int d = dims.Count - 1; d >= 0; d--) { strides[d] = stride; stride *= dims[d]; }
        for (int d = 0; d < dims.Count; d++)
        {
            coords[d] = IntLocal();
            if (dims[d] == 1) { Int(0); Il.Emit(OpCodes.Stloc, coords[d]); continue; }
            Il.Emit(OpCodes.Ldloc, linear);
            if (strides[d] != 1) { Int(strides[d]); Il.Emit(OpCodes.Div_Un); }
            if (d > 0) { Int(dims[d]); Il.Emit(OpCodes.Rem_Un); }
            Il.Emit(OpCodes.Stloc, coords[d]);
        }
        return coords;
    }

    /// <summary>A new local set to <c>offset + sum coords[d] * strides[d]</c>.</summary>
    public LocalBuilder Offset(long offset, IReadOnlyList<LocalBuilder> coords, IReadOnlyList<long> strides)
    {
        var at = IntLocal();
        Int(offset);
        Il.Emit(OpCodes.Stloc, at);
        for (int d = 0; d < coords.Count; d++) AddScaled(at, coords[d], strides[d]);
        return at;
    }

    /// <summary>Finishes the type and returns the kernel method.</summary>
    public MethodInfo Finish()
    {
        Il.Emit(OpCodes.Ret);
        var t = _type.CreateType();
        return t.GetMethod("Kernel", BindingFlags.Public | BindingFlags.Static)!;
    }

    private static readonly MethodInfo IndexToInt =
        typeof(Index1D).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .First(m => m.Name == "op_Implicit" && m.ReturnType == typeof(int) && m.GetParameters()[0].ParameterType == typeof(Index1D));
}
