/// docs/primitives.md is generated from the op-record table and the registry; this test fails
/// when it is out of date. Regenerate with:
///   ARRAYLANG_UPDATE_DOCS=1 dotnet run --project tests -- --filter-test-list "primitives doc"
module ArrayLang.Tests.Primitives.PrimitivesDocTests

open System
open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Primitives
open ArrayLang.Tests.Primitives

let private familyOf (p: Primitive) =
    let families =
        [ "elementwise", (fun (q: Primitive) -> Elementwise.All |> Seq.exists (fun e -> obj.ReferenceEquals(e, q)))
          "randomness", (fun q -> q.Name.StartsWith "random_")
          "control flow", (fun q -> q.Name = "scan" || q.Name = "cond" || q.Name = "while")
          "contraction", (fun q -> q.Name = "dot_general")
          "reduction", (fun q -> q.Name.StartsWith "reduce_" || q.Name.StartsWith "arg" || q.Name.StartsWith "cum")
          "slicing", (fun q -> [ "slice"; "dynamic_slice"; "dynamic_update_slice"; "concatenate"; "pad"; "take" ] |> List.contains q.Name) ]
    families |> List.tryPick (fun (name, test) -> if test p then Some name else None) |> Option.defaultValue "shape"

/// The Markdown table: every built-in primitive, its family, its params (as an example writes them),
/// the dtypes its op records exercise and an example application.
let generate () =
    let rows =
        [ for p in PrimitiveRegistry.Primitives.All do
            if not (p :? CustomPrimitive) then
                let records = OpRecords.all |> List.filter (fun r -> obj.ReferenceEquals(r.Prim, p))
                let r = records.Head
                let dtypes =
                    records
                    |> List.collect (fun r -> r.Operands |> List.map (fun t -> t.DType))
                    |> List.distinct |> List.map (fun d -> d.Name()) |> String.concat " "
                let example = (OpRecords.functionOf r).Equations.[0]
                yield sprintf "| `%s` | %s | %s | %s | `%s` |" p.Name (familyOf p)
                        (match r.Params.ToText() with "" -> "—" | t -> sprintf "`%s`" t) dtypes (string example) ]
    String.concat "\n"
        ([ "# Primitives"
           ""
           "Generated from the op-record table (`tests/Primitives/OpRecords.fs`) by"
           "`tests/Primitives/PrimitivesDocTests.fs`; do not edit by hand. Semantics: `docs/ir.md` and IR.md."
           "Every primitive has a shape rule, a reference evaluation and a batching rule; the table's"
           "dtypes are those its op records test (operand dtypes)."
           ""
           "| primitive | family | params (example) | dtypes tested | example |"
           "|---|---|---|---|---|" ]
         @ rows)
    + "\n"

let private docPath () =
    let rec up (d: DirectoryInfo) =
        if isNull d then failwith "cannot find the repository root (Array.sln) above the test's directory"
        elif File.Exists(Path.Combine(d.FullName, "Array.sln")) then d.FullName
        else up d.Parent
    Path.Combine(up (DirectoryInfo AppContext.BaseDirectory), "docs", "primitives.md")

[<Tests>]
let tests =
    testList "primitives doc" [
        test "docs/primitives.md is generated from the op records and up to date" {
            let text = generate ()
            let path = docPath ()
            if Environment.GetEnvironmentVariable "ARRAYLANG_UPDATE_DOCS" = "1" then File.WriteAllText(path, text)
            let current = if File.Exists path then File.ReadAllText path else ""
            if current <> text then
                failtestf "docs/primitives.md is out of date; regenerate it with ARRAYLANG_UPDATE_DOCS=1 dotnet run --project tests -- --filter-test-list \"primitives doc\""
        }
    ]
