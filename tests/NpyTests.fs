/// .npy read/write: round trips of every dtype, 0-d and empty arrays, the header layout, files
/// written by NumPy, and every kind of malformed or unsupported input.
module ArrayLang.Tests.NpyTests

open System
open System.IO
open System.Text
open Expecto
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Npy
open ArrayLang.Values
open ArrayLang.Tests.TestUtil
open ArrayLang.Tests.Ir.TypeCheckerTests

let toBytes (a: NDArray) =
    use ms = new MemoryStream()
    NpyFile.Write(ms, a)
    ms.ToArray()

let fromBytes (name: string) (bytes: byte[]) =
    use ms = new MemoryStream(bytes)
    NpyFile.Read(ms, name)

let roundTrip (a: NDArray) = fromBytes "mem.npy" (toBytes a)

/// A .npy image from its parts: format version, header text (padded as given) and data bytes.
let npy (major: byte) (header: string) (data: byte[]) =
    use ms = new MemoryStream()
    let put (b: byte[]) = ms.Write(b, 0, b.Length)
    put [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y'; major; 0uy |]
    let h = Encoding.Latin1.GetBytes header
    if major = 1uy then put (BitConverter.GetBytes(uint16 h.Length))
    else put (BitConverter.GetBytes(uint32 h.Length))
    put h
    put data
    ms.ToArray()

let header (descr: string) (fortran: string) (shape: string) =
    sprintf "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }\n" descr fortran shape

let f32Bytes (xs: float32 list) = xs |> List.toArray |> Array.collect BitConverter.GetBytes

/// Asserts that reading the bytes fails with an NpyException naming the file and containing every fragment.
let expectNpyError (bytes: byte[]) (fragments: string list) =
    let e = throwsAs<NpyException> (fun () -> fromBytes "bad.npy" bytes |> ignore) "malformed input is rejected"
    Expect.stringStarts e.Message "bad.npy: " "names the file"
    for f in fragments do Expect.stringContains e.Message f "message"

let irExample (case: string) (file: string) =
    Path.Combine(ArrayLang.Tests.Ir.TextTests.irExamplesDir, case, file)

/// Random arrays of every dtype, rank 0 to 3, dimensions 0 to 4, values from raw bits (NaN payloads, -0, denormals).
let genArray =
    gen {
        let! dtype = Gen.elements [ DType.F32; DType.F64; DType.I32; DType.Bool ]
        let! rank = Gen.choose (0, 3)
        let! dims = Gen.listOfLength rank (Gen.choose (0, 4))
        let shape = Shape(Array.ofList dims)
        let n = int shape.ElementCount
        match dtype with
        | DType.F32 ->
            let! bits = Gen.arrayOfLength n (Gen.choose (Int32.MinValue, Int32.MaxValue))
            return NDArray(dtype, shape, bits |> Array.map BitConverter.Int32BitsToSingle)
        | DType.F64 ->
            let! hi = Gen.arrayOfLength n (Gen.choose (Int32.MinValue, Int32.MaxValue))
            let! lo = Gen.arrayOfLength n (Gen.choose (Int32.MinValue, Int32.MaxValue))
            return NDArray(dtype, shape, Array.map2 (fun (h: int) (l: int) -> BitConverter.Int64BitsToDouble((int64 h <<< 32) ||| int64 (uint32 l))) hi lo)
        | DType.I32 ->
            let! xs = Gen.arrayOfLength n (Gen.choose (Int32.MinValue, Int32.MaxValue))
            return NDArray(dtype, shape, xs)
        | _ ->
            let! xs = Gen.arrayOfLength n (Gen.elements [ true; false ])
            return NDArray(dtype, shape, xs)
    }

/// Bitwise equality on the raw storage (NDArray.BitwiseEquals widens to double, which may quiet a NaN).
let sameBits (a: NDArray) (b: NDArray) =
    a.Type = b.Type &&
    match a.Data, b.Data with
    | (:? (float32[]) as x), (:? (float32[]) as y) -> Array.map BitConverter.SingleToInt32Bits x = Array.map BitConverter.SingleToInt32Bits y
    | (:? (float[]) as x), (:? (float[]) as y) -> Array.map BitConverter.DoubleToInt64Bits x = Array.map BitConverter.DoubleToInt64Bits y
    | (:? (int[]) as x), (:? (int[]) as y) -> x = y
    | (:? (bool[]) as x), (:? (bool[]) as y) -> x = y
    | _ -> false

[<Tests>]
let tests =
    testList "npy" [
        testList "round trip" [
            test "f32 with special values" {
                let a = NDArray.Of([| 1.5f; -0.0f; nanf; infinityf; -infinityf; Single.Epsilon; Single.MaxValue; 0.1f |], 2, 4)
                Expect.isTrue (sameBits (roundTrip a) a) "f32"
            }
            test "f64 with special values" {
                let a = NDArray.Of([| 1.5; -0.0; nan; infinity; -infinity; Double.Epsilon; Double.MaxValue |], 7)
                Expect.isTrue (sameBits (roundTrip a) a) "f64"
            }
            test "i32 extremes" {
                let a = NDArray.Of([| Int32.MinValue; -1; 0; 1; Int32.MaxValue; 42 |], 3, 1, 2)
                Expect.isTrue (sameBits (roundTrip a) a) "i32"
            }
            test "bool" {
                let a = NDArray.Of([| true; false; false; true |], 4)
                Expect.isTrue (sameBits (roundTrip a) a) "bool"
            }
            test "0-d arrays" {
                for d in DTypes.All do
                    let a = NDArray.Scalar(d, 1.0)
                    let b = roundTrip a
                    Expect.equal b.Shape.Rank 0 "rank 0"
                    Expect.isTrue (sameBits b a) (string d)
            }
            test "empty arrays" {
                for dims in [ [| 0 |]; [| 3; 0 |]; [| 0; 5; 2 |] ] do
                    for d in DTypes.All do
                        let a = NDArray.Zeros(d, dims)
                        let b = roundTrip a
                        Expect.equal b.Type a.Type (sprintf "%O" a.Type)
            }
            test "through a file on disk" {
                let path = Path.Combine(Path.GetTempPath(), sprintf "arraylang-npy-%O.npy" (Guid.NewGuid()))
                try
                    let a = NDArray.Of([| 1; 2; 3 |], 3)
                    NpyFile.Write(path, a)
                    Expect.isTrue (sameBits (NpyFile.Read path) a) "file"
                finally File.Delete path
            }
            testProperty "random arrays of every dtype and shape round-trip bitwise" <|
                Prop.forAll (Arb.fromGen genArray) (fun a -> sameBits (roundTrip a) a)
        ]

        testList "layout" [
            test "writes version 1.0 with NumPy's header, padded to 64 bytes and ending in a newline" {
                let bytes = toBytes (NDArray.Of([| 1.0f; 2.0f; 3.0f; 4.0f; 5.0f; 6.0f |], 2, 3))
                Expect.equal bytes.[0..7] [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y'; 1uy; 0uy |] "magic and version"
                let hlen = int (BitConverter.ToUInt16(bytes, 8))
                Expect.equal ((10 + hlen) % 64) 0 "aligned to 64"
                let h = Encoding.ASCII.GetString(bytes, 10, hlen)
                Expect.stringStarts h "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" "dict"
                Expect.equal h.[h.Length - 1] '\n' "ends in a newline"
                Expect.equal bytes.Length (10 + hlen + 24) "data follows"
                Expect.equal (BitConverter.ToSingle(bytes, 10 + hlen + 4)) 2.0f "C order, little-endian"
            }
            test "shape text for 0-d, 1-d and bool arrays" {
                let headerOf a =
                    let b = toBytes a
                    Encoding.ASCII.GetString(b, 10, int (BitConverter.ToUInt16(b, 8)))
                Expect.stringStarts (headerOf (NDArray.Scalar(DType.F64, 2.0))) "{'descr': '<f8', 'fortran_order': False, 'shape': (), }" "0-d"
                Expect.stringStarts (headerOf (NDArray.Of([| 1; 2 |], 2))) "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }" "1-d"
                Expect.stringStarts (headerOf (NDArray.Of([| true |], 1))) "{'descr': '|b1', 'fortran_order': False, 'shape': (1,), }" "bool"
            }
            test "reads version 2.0 and 3.0 headers" {
                for major in [ 2uy; 3uy ] do
                    let a = fromBytes "v.npy" (npy major (header "<f4" "False" "(2,)") (f32Bytes [ 1.0f; 2.0f ]))
                    Expect.isTrue (sameBits a (NDArray.Of([| 1.0f; 2.0f |], 2))) (sprintf "version %d" major)
            }
            test "reads unaligned headers, double quotes, other key orders and Python 2 longs" {
                let a = fromBytes "q.npy" (npy 1uy "{\"shape\": (1L, 2L), \"fortran_order\": False, \"descr\": \"<f4\"}" (f32Bytes [ 3.0f; 4.0f ]))
                Expect.isTrue (sameBits a (NDArray.Of([| 3.0f; 4.0f |], 1, 2))) "parsed"
            }
            test "reads files written by NumPy" {
                let a = NpyFile.Read(irExample "ex3_matvec_shared_weights" "in0.npy")
                Expect.equal a.Type (f32 [ 3; 4 ]) "type"
                let e = NpyFile.Read(irExample "ex2_scan" "expected1.npy")
                Expect.equal e.Type (f32 [ 5; 10 ]) "type"
                Expect.isTrue (e.F32 |> Array.forall (fun x -> Single.IsFinite x && abs x <= 1.0f)) "tanh outputs"
            }
        ]

        testList "malformed" [
            test "bad magic" {
                expectNpyError (Encoding.ASCII.GetBytes "PK\003\004 not numpy at all") [ "not a .npy file" ]
                expectNpyError [||] [ "not a .npy file" ]
            }
            test "truncated before the header" {
                expectNpyError [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y'; 1uy |] [ "truncated"; "version" ]
                expectNpyError [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y'; 1uy; 0uy; 10uy |] [ "truncated"; "header length" ]
            }
            test "truncated header" {
                let full = npy 1uy (header "<f4" "False" "(2,)") [||]
                expectNpyError full.[0 .. full.Length - 10] [ "truncated"; "header" ]
            }
            test "truncated data" {
                expectNpyError (npy 1uy (header "<f4" "False" "(3,)") (f32Bytes [ 1.0f; 2.0f ])) [ "truncated"; "needs 12 data bytes"; "holds 8" ]
                expectNpyError (npy 1uy (header "<f8" "False" "()") [| 1uy; 2uy |]) [ "truncated" ]
            }
            test "too much data" {
                expectNpyError (npy 1uy (header "<f4" "False" "(1,)") (f32Bytes [ 1.0f; 2.0f ])) [ "wrong data length"; "needs 4 data bytes" ]
            }
            test "unsupported versions" {
                expectNpyError (npy 4uy (header "<f4" "False" "()") (f32Bytes [ 1.0f ])) [ "unsupported .npy format version 4.0" ]
            }
            test "fortran order" {
                expectNpyError (npy 1uy (header "<f4" "True" "(2, 2)") (f32Bytes [ 1.0f; 2.0f; 3.0f; 4.0f ])) [ "Fortran-order" ]
            }
            test "big-endian data" {
                expectNpyError (npy 1uy (header ">f4" "False" "(1,)") (f32Bytes [ 1.0f ])) [ "big-endian"; "'>f4'"; "astype('<f4')" ]
                expectNpyError (npy 1uy (header ">i4" "False" "(1,)") (f32Bytes [ 1.0f ])) [ "big-endian" ]
            }
            test "unsupported dtypes" {
                expectNpyError (npy 1uy (header "<i8" "False" "(1,)") (Array.zeroCreate 8)) [ "unsupported dtype descr '<i8'"; "np.int32"; "'<f4'" ]
                expectNpyError (npy 1uy (header "|u1" "False" "(1,)") [| 1uy |]) [ "unsupported dtype descr '|u1'" ]
                expectNpyError (npy 1uy (header "<U3" "False" "(1,)") (Array.zeroCreate 12)) [ "unsupported dtype descr '<U3'" ]
                expectNpyError (npy 1uy "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }" (Array.zeroCreate 4)) [ "malformed header"; "structured" ]
            }
            test "header dict syntax errors" {
                expectNpyError (npy 1uy "'descr': '<f4', 'fortran_order': False, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "malformed header"; "expected '{'" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)" (f32Bytes [ 1.0f ])) [ "malformed header" ]
                expectNpyError (npy 1uy "{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "malformed header"; "expected ',' or '}'" ]
                expectNpyError (npy 1uy "{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "malformed header" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': false, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "unexpected word 'false'" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk" (f32Bytes [ 1.0f ])) [ "after the closing '}'" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (1)}" (f32Bytes [ 1.0f ])) [ "trailing comma" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}" (f32Bytes [ 1.0f ])) [ "expected an integer in the shape tuple" ]
            }
            test "wrong or missing keys and values" {
                expectNpyError (npy 1uy "{'descr': '<f4', 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "lacks the key 'fortran_order'" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}" (f32Bytes [ 1.0f ])) [ "unexpected key 'extra'" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "appears twice" ]
                expectNpyError (npy 1uy "{'descr': 4, 'fortran_order': False, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "'descr' must be a string" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}" (f32Bytes [ 1.0f ])) [ "'fortran_order' must be True or False" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': 1}" (f32Bytes [ 1.0f ])) [ "'shape' must be a tuple" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}" (f32Bytes [ 1.0f ])) [ "dimension outside" ]
                expectNpyError (npy 1uy "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000)}" [||]) [ "too many elements" ]
            }
            test "a NUL, an NBSP or another character Python's literal syntax refuses in the header, as NumPy refuses it" {
                let good = header "<f4" "False" "(1,)"
                let cases =
                    [ "a NUL in the padding", good.Replace(" }", " \u0000}"), "U+0000"
                      "a NUL inside the descr", good.Replace("<f4", "<f4\u0000"), "U+0000"
                      "an NBSP between tokens", good.Replace(": False", ":\u00A0False"), "U+00A0"
                      "an NBSP inside a key", good.Replace("'shape'", "'shape\u00A0'"), "U+00A0"
                      "a vertical tab", good.Replace(", 'shape'", ",\u000B'shape'"), "U+000B"
                      "a DEL", good.Replace(", }", ", }\u007F"), "U+007F" ]
                for what, text, code in cases do
                    let e = throwsAs<NpyException> (fun () -> fromBytes "bad.npy" (npy 1uy text (f32Bytes [ 1.0f ])) |> ignore) what
                    Expect.stringContains e.Message code what
                    Expect.stringContains e.Message "printable ASCII" what
                // Python's own whitespace between tokens stays accepted: tab, form feed, line ends.
                let spaced = "{'descr':\t'<f4',\f'fortran_order': False,\r\n'shape': (1,), }\n"
                Expect.isTrue (sameBits (fromBytes "ok.npy" (npy 1uy spaced (f32Bytes [ 1.0f ]))) (NDArray.Of([| 1.0f |], 1))) "whitespace"
            }
            test "a header longer than NumPy's max_header_size" {
                let long = (header "<f4" "False" "(1,)").TrimEnd('\n') + String(' ', NpyFile.MaxHeaderBytes) + "\n"
                expectNpyError (npy 2uy long (f32Bytes [ 1.0f ])) [ "max_header_size" ]
            }
            test "bool bytes other than 0 and 1" {
                expectNpyError (npy 1uy (header "|b1" "False" "(2,)") [| 1uy; 2uy |]) [ "bool element 1 holds the byte 2" ]
            }
            test "a missing file names the path" {
                let path = Path.Combine(Path.GetTempPath(), "arraylang-does-not-exist.npy")
                let e = throwsAs<NpyException> (fun () -> NpyFile.Read path |> ignore) "missing"
                Expect.stringStarts e.Message path "names the path"
                Expect.stringContains e.Message "cannot open" "says what failed"
            }
        ]
    ]
