/// Data in and out from F# (the NDArray module) and errors located by caller information in C# and
/// F# assemblies built without symbols (a Release build shipped without PDBs).
module ArrayLang.Tests.FrontEnds.DataAndCallerTests

open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp
open FrontEnds.NoSymbolsFixtures
module FSharpNoSymbols = FrontEnds.NoSymbolsFSharpFixtures.NoSymbols

let private raises (f: unit -> unit) = try f (); failtest "expected a TraceException" with :? TraceException as e -> e

let private markedLine (file: string) (marker: string) =
    File.ReadAllLines file |> Array.findIndex (fun l -> l.Contains marker) |> (+) 1

[<Tests>]
let tests =
    testList "front ends/data and caller information" [
        test "NDArray.ofArray, ofArray2D, ofArray3D and back, for each element type" {
            let v = NDArray.ofArray [| 1.0f; 2.0f; 3.0f |]
            Expect.equal (NDArray.shape v) [ 3 ] "shape"
            Expect.equal (NDArray.dtype v) DType.F32 "float32 is f32"
            Expect.equal (NDArray.toArray v : float32[]) [| 1.0f; 2.0f; 3.0f |] "round trip"
            let m = NDArray.ofArray2D (array2D [ [ 1.0; 2.0; 3.0 ]; [ 4.0; 5.0; 6.0 ] ])
            Expect.equal (NDArray.shape m, NDArray.dtype m) ([ 2; 3 ], DType.F64) "2-D float is f64[2,3]"
            Expect.equal (NDArray.toArray m : float[]) [| 1.0 .. 6.0 |] "row-major"
            Expect.equal (NDArray.toArray2D m : float[,]) (array2D [ [ 1.0; 2.0; 3.0 ]; [ 4.0; 5.0; 6.0 ] ]) "2-D round trip"
            let c = NDArray.ofArray3D (Array3D.init 2 3 4 (fun i j k -> 100 * i + 10 * j + k))
            Expect.equal (NDArray.shape c, NDArray.dtype c) ([ 2; 3; 4 ], DType.I32) "3-D int is i32"
            Expect.equal (NDArray.toArray3D c : int[,,]).[1, 2, 3] 123 "3-D round trip"
            Expect.equal (NDArray.toArray (NDArray.ofArray [| true; false |]) : bool[]) [| true; false |] "bool"
            Expect.equal (NDArray.toScalar (NDArray.scalar 2.5f) : float32) 2.5f "scalar"
        }
        test "NDArray.zeros and init (row-major indices), and a copy on the way in" {
            Expect.equal (NDArray.zeros DType.I32 [ 2; 2 ] |> NDArray.toArray : int[]) [| 0; 0; 0; 0 |] "zeros"
            let a = NDArray.init [ 2; 3 ] (fun ix -> float32 (10 * ix.[0] + ix.[1]))
            Expect.equal (NDArray.toArray a : float32[]) [| 0.0f; 1.0f; 2.0f; 10.0f; 11.0f; 12.0f |] "init"
            Expect.equal (NDArray.init [] (fun _ -> 7) |> NDArray.shape) [] "rank 0"
            let source = [| 1; 2 |]
            let copied = NDArray.ofArray source
            source.[0] <- 99
            Expect.equal (NDArray.toArray copied : int[]) [| 1; 2 |] "the array holds a copy"
        }
        test "NDArray.toNpy and ofNpy round trip; a wrong element type says what the array is" {
            let path = Path.Combine(Path.GetTempPath(), $"arraylang-fsharp-{System.Guid.NewGuid()}.npy")
            try
                let a = NDArray.ofArray2D (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ] ])
                a |> NDArray.toNpy path
                Expect.isTrue ((NDArray.ofNpy path).BitwiseEquals a) "the same array back"
            finally File.Delete path
            let message = try (NDArray.toArray (NDArray.ofArray [| 1 |]) : float32[]) |> ignore; "" with :? System.InvalidOperationException as e -> e.Message
            Expect.stringContains message "the array is i32[1]; read it as Int32, not Single" "what the array is"
        }
        test "NDArray values go through vmap and jit typed as F# arrays" {
            let f (x: Tensor) = x * 2.0f
            let batched : NDArray -> NDArray = jit (vmap f)
            let r = batched (NDArray.ofArray2D (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.0f ] ])) |> NDArray.toArray2D
            Expect.equal r (array2D [ [ 2.0f; 4.0f ]; [ 6.0f; 8.0f ] ]) "doubled"
        }
        test "Display: arrays print whole up to 1000 elements and abbreviated like NumPy beyond; tensors and functions" {
            Expect.equal (Display.ndarray (NDArray.ofArray2D (array2D [ [ 1.0f; 2.0f ]; [ 3.0f; 4.5f ] ]))) "f32[2,2] [[1, 2],\n [3, 4.5]]" "small: whole"
            Expect.equal (Display.ndarray (NDArray.init [ 2000 ] (fun ix -> ix.[0]))) "i32[2000] [0, 1, 2, ..., 1997, 1998, 1999]" "large: abbreviated"
            let big = Display.ndarray (NDArray.init [ 40; 40 ] (fun ix -> ix.[0] = ix.[1]))
            Expect.stringStarts big "bool[40,40] [[true, false, false, ..., false, false, false],\n [false, true, false, ..., false, false, false]" "rank 2: rows and columns abbreviated"
            Expect.stringContains big "\n ...,\n" "the elided rows"
            Expect.equal (Display.ndarray (NDArray.scalar 2.5)) "f64[] 2.5" "a scalar"
            let ir = lower [ AVal.Of(DType.F32, 3) ] (fun (x: Tensor) -> Expect.equal (Display.tensor x) "Tensor f32[3] (x)" "a traced value"; x * 2.0)
            Expect.equal (Display.func ir) (string ir) "a function as its IR text"
        }
        test "without symbols, an error inside Fn.Of's function names the line of Fn.Of (caller information)" {
            let e = raises (fun () -> NoSymbols.Mismatch() |> ignore)
            let location = Option.ofObj e.Location |> Option.defaultWith (fun () -> failtest "no location")
            Expect.stringContains location.File "NoSymbols.cs" "the user's file"
            Expect.equal location.Line (markedLine location.File "// FN.OF LINE") "the line of Fn.Of"
            Expect.stringContains e.Message $"NoSymbols.cs:%d{location.Line}" "in the message"
        }
        test "without symbols, an error inside a scan step names the line of Control.Scan" {
            let e = raises (fun () -> NoSymbols.BadScan() |> ignore)
            let location = Option.ofObj e.Location |> Option.defaultWith (fun () -> failtest "no location")
            Expect.stringContains e.Message "scan" "the operation"
            Expect.equal location.Line (markedLine location.File "// SCAN LINE") "the line of Control.Scan"
        }
        // The F# twin: the fixture is an F# Release build without symbols; module functions cannot take
        // caller information, the vectorize builder's methods and the slice expressions do.
        for name, lowerIt, marker, what in
            [ "a vectorize for loop's body", FSharpNoSymbols.badLoop, "// FOR LINE", "mul"
              "a vectorize while loop's body", FSharpNoSymbols.badWhile, "// WHILE LINE", "add"
              "a vectorize block outside its loops", FSharpNoSymbols.badBlock, "// BLOCK LINE", "mul"
              "an F# slice with too many axes", FSharpNoSymbols.badSlice, "// SLICE LINE", "indices"
              "an F# range out of range", FSharpNoSymbols.badRange, "// RANGE LINE", "out of range" ] do
            test $"without symbols, an F# error in %s{name} names its line (caller information)" {
                let e = raises (fun () -> lowerIt () |> ignore)
                let location = Option.ofObj e.Location |> Option.defaultWith (fun () -> failtest $"no location: %s{e.Message}")
                Expect.stringContains location.File "NoSymbols.fs" $"the user's file: %s{e.Message}"
                Expect.equal location.Line (markedLine location.File marker) $"the marked line: %s{e.Message}"
                Expect.stringContains e.Message what "the operation"
                Expect.stringContains e.Message $"NoSymbols.fs:%d{location.Line}" "in the message"
            }
    ]
