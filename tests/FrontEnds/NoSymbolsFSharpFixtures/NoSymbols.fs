/// Errors in an F# assembly without symbols; the tests find each marked line in this file.
module FrontEnds.NoSymbolsFSharpFixtures.NoSymbols

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.FSharp

/// Shapes that do not broadcast inside the body of a vectorize for loop: the loop's line.
let badLoop () =
    lower [ AVal.Of(DType.F32, 3); AVal.Of(DType.F32, 4, 2) ] (fun (h: Tensor) (xs: Tensor) ->
        vectorize {
            let s = state h
            for x in xs do // FOR LINE
                s.Value <- s.Value * x
            return s.Value
        })

/// Shapes that do not broadcast inside a while loop of a vectorize block: the loop's line.
let badWhile () =
    lower [ AVal.Of(DType.F32, 3); AVal.Of(DType.F32, 2) ] (fun (h: Tensor) (y: Tensor) ->
        vectorize {
            let s = state h
            while Tensor.sum s.Value .< 10.0 do // WHILE LINE
                s.Value <- s.Value + y
            return s.Value
        })

/// Shapes that do not broadcast in a vectorize block outside its loops: the block's line.
let badBlock () =
    lower [ AVal.Of(DType.F32, 3); AVal.Of(DType.F32, 2) ] (fun (x: Tensor) (y: Tensor) ->
        vectorize { // BLOCK LINE
            return x * y
        })

/// A slice with more axes than the tensor has: the slice's line.
let badSlice () =
    lower [ AVal.Of(DType.F32, 3) ] (fun (x: Tensor) ->
        let y = x * 2.0
        y.[*, 0]) // SLICE LINE

/// A range out of range: the slice's line.
let badRange () =
    lower [ AVal.Of(DType.F32, 3) ] (fun (x: Tensor) -> x.[1..5]) // RANGE LINE
