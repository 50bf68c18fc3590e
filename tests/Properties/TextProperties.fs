/// The text form on random well-typed programs: printing then parsing gives back an equal
/// function (alpha-equivalence), whose text is the same again.
module ArrayLang.Tests.Properties.TextProperties

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open ArrayLang.Ir
open ArrayLang.Tests.Generators

[<Tests>]
let tests =
    testList "properties" [
        test "random programs/print then parse gives an equal function" {
            let gen = Gen.choose (0, Int32.MaxValue - 1) |> Gen.map (fun seed -> ProgramGen.generate (Random seed) VmapProperties.config)
            let shrink (f: Function) =
                seq { for k in f.Equations.Length - 1 .. -1 .. 0 -> Shrink.cut f k |> Shrink.dropUnusedParams |> fst }
            let prop =
                Prop.forAll (Arb.fromGenShrink (gen, shrink)) (fun (f: Function) ->
                    let text = string f
                    let g = IrParser.ParseFunction(text, "<generated>", null, null)
                    if g <> f then failwithf "parse(print f) differs from f:\n%s\nparsed back:\n%O" text g
                    if string g <> text then failwithf "print(parse(print f)) differs:\n%s\nvs\n%O" text g)
            Check.One(Config.QuickThrowOnFailure.WithMaxTest(Settings.programCount).WithQuietOnSuccess(true), prop)
            printfn "print/parse round trip: %d random programs" Settings.programCount
        }
    ]
