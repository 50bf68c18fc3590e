namespace ArrayLang.FSharp

open System
open ArrayLang.Ir
open ArrayLang.Npy
open ArrayLang.Values

/// <summary>
/// Data in and out: <c>NDArray</c> values from and to F# arrays and NumPy <c>.npy</c> files. The element
/// type says the dtype: <c>float32</c> is f32, <c>float</c> f64, <c>int</c> i32, <c>bool</c> bool. Every
/// conversion copies, so later changes to either side do not show in the other. Multi-dimensional F#
/// arrays are row-major, as NDArray is.
/// </summary>
/// <example><code>
/// let x = NDArray.ofArray2D (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ] ])
/// let y : float32[,] = batched x |> NDArray.toArray2D
/// </code></example>
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module NDArray =

    /// <summary>The dtype that stores elements of type <typeparamref name="T"/>, or an error naming the types that work.</summary>
    let dtypeOf<'T> () : DType =
        if typeof<'T> = typeof<float32> then DType.F32
        elif typeof<'T> = typeof<float> then DType.F64
        elif typeof<'T> = typeof<int> then DType.I32
        elif typeof<'T> = typeof<bool> then DType.Bool
        else invalidArg "T" $"an NDArray holds float32, float, int or bool elements, not %s{typeof<'T>.Name}"

    // A copy of any .NET array's elements in row-major order (the order .NET stores them in).
    let private flat<'T> (source: Array) : 'T[] =
        let data = Array.zeroCreate<'T> source.Length
        Buffer.BlockCopy(source, 0, data, 0, Buffer.ByteLength source)
        data

    let private make<'T> (dims: int[]) (data: 'T[]) = NDArray(dtypeOf<'T> (), Shape dims, data)

    let private elements<'T> (what: string) (a: NDArray) : 'T[] =
        if a.DType <> dtypeOf<'T> () then
            invalidOp $"%s{what}: the array is %O{a.Type}; read it as %s{NDArray.ElementType(a.DType).Name}, not %s{typeof<'T>.Name}"
        a.Data :?> 'T[]

    let private requireRank (what: string) (rank: int) (a: NDArray) =
        if a.Shape.Rank <> rank then invalidOp $"%s{what}: the array is %O{a.Type}, not of rank %d{rank}"

    /// <summary>A rank-1 array holding a copy of <paramref name="data"/>.</summary>
    let ofArray (data: 'T[]) : NDArray = make [| data.Length |] (Array.copy data)

    /// <summary>A rank-2 array holding a copy of <paramref name="data"/>.</summary>
    let ofArray2D (data: 'T[,]) : NDArray = make [| Array2D.length1 data; Array2D.length2 data |] (flat<'T> data)

    /// <summary>A rank-3 array holding a copy of <paramref name="data"/>.</summary>
    let ofArray3D (data: 'T[,,]) : NDArray =
        make [| Array3D.length1 data; Array3D.length2 data; Array3D.length3 data |] (flat<'T> data)

    /// <summary>An array of <paramref name="shape"/> holding a copy of <paramref name="data"/> (row-major).</summary>
    let ofArrayShaped (shape: int list) (data: 'T[]) : NDArray = make (Array.ofList shape) (Array.copy data)

    /// <summary>A scalar (rank-0) array.</summary>
    let scalar (value: 'T) : NDArray = make [||] [| value |]

    /// <summary>A copy of the elements in row-major order, whatever the rank.</summary>
    let toArray (a: NDArray) : 'T[] = Array.copy (elements<'T> "NDArray.toArray" a)

    /// <summary>A copy as an F# 2-D array; the array must have rank 2.</summary>
    let toArray2D (a: NDArray) : 'T[,] =
        requireRank "NDArray.toArray2D" 2 a
        let data = elements<'T> "NDArray.toArray2D" a
        let r = Array2D.zeroCreate a.Shape.[0] a.Shape.[1]
        Buffer.BlockCopy(data, 0, r, 0, Buffer.ByteLength data)
        r

    /// <summary>A copy as an F# 3-D array; the array must have rank 3.</summary>
    let toArray3D (a: NDArray) : 'T[,,] =
        requireRank "NDArray.toArray3D" 3 a
        let data = elements<'T> "NDArray.toArray3D" a
        let r = Array3D.zeroCreate a.Shape.[0] a.Shape.[1] a.Shape.[2]
        Buffer.BlockCopy(data, 0, r, 0, Buffer.ByteLength data)
        r

    /// <summary>The element of a scalar (or one-element) array.</summary>
    let toScalar (a: NDArray) : 'T =
        if a.Length <> 1 then invalidOp $"NDArray.toScalar: the array is %O{a.Type}, not a single element"
        (elements<'T> "NDArray.toScalar" a).[0]

    /// <summary>Zeros of <paramref name="dtype"/> and <paramref name="shape"/>.</summary>
    let zeros (dtype: DType) (shape: int list) : NDArray = NDArray.Zeros(dtype, Array.ofList shape)

    /// <summary>An array of <paramref name="shape"/> whose element at index <c>[i; j; ...]</c> is <c>f [| i; j; ... |]</c>.</summary>
    let init (shape: int list) (f: int[] -> 'T) : NDArray =
        let dims = Array.ofList shape
        let count = dims |> Array.fold (*) 1
        let index = Array.zeroCreate dims.Length
        let data =
            Array.init count (fun _ ->
                let v = f (Array.copy index)
                // the next row-major index: the last axis moves fastest
                let mutable a = dims.Length - 1
                let mutable carry = true
                while carry && a >= 0 do
                    index.[a] <- index.[a] + 1
                    if index.[a] < dims.[a] then
                        carry <- false
                    else
                        index.[a] <- 0
                        a <- a - 1
                v)
        make dims data

    /// <summary>The shape as a list of dimensions.</summary>
    let shape (a: NDArray) : int list = List.ofSeq a.Shape

    /// <summary>The element type.</summary>
    let dtype (a: NDArray) : DType = a.DType

    /// <summary>Reads a NumPy <c>.npy</c> file (f32, f64, i32 or bool; C order).</summary>
    let ofNpy (path: string) : NDArray = NpyFile.Read path

    /// <summary>Writes the array as a NumPy <c>.npy</c> file at <paramref name="path"/>.</summary>
    let toNpy (path: string) (a: NDArray) : unit = NpyFile.Write(path, a)
