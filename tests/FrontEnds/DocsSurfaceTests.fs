/// docs/fsharp.md and docs/csharp.md list every public function of their front end: the names are
/// read by reflection over the public types of ArrayLang.FSharp (its modules and types) and of
/// ArrayLang.CSharp with the traced value (Tensor, AxisIndex) and the front-end machinery of the core
/// (the ArrayLang.Staging namespace, DefaultBackend, BackendProviderAttribute), and each must appear
/// in code (between backticks) in the page. Operators (op_*) are left to the pages' prose.
module ArrayLang.Tests.FrontEnds.DocsSurfaceTests

open System
open System.IO
open System.Reflection
open System.Runtime.CompilerServices
open System.Text.RegularExpressions
open Expecto
open Microsoft.FSharp.Core

let private docsPath (page: string) = Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "docs", page)

let private flags = BindingFlags.Public ||| BindingFlags.Static ||| BindingFlags.Instance ||| BindingFlags.DeclaredOnly

let private generated (m: MemberInfo) =
    not (isNull (m.GetCustomAttribute<CompilerGeneratedAttribute>()))
    || m.GetCustomAttributes<CompilationMappingAttribute>() |> Seq.exists (fun a -> a.SourceConstructFlags = SourceConstructFlags.UnionCase && (m :? MethodInfo))

// Object's members and the comparison/equality machinery F# and C# records and unions get.
let private machinery =
    set [ "Equals"; "GetHashCode"; "ToString"; "CompareTo"; "GetType"; "Tag"; "Deconstruct"; "PrintMembers"; "EqualityContract"; "<Clone>$" ]

/// The public names a type offers: methods (extension members by their last name part), properties,
/// fields and union cases; accessors, constructors and operators are left out.
let private names (t: Type) =
    [ for m in t.GetMembers(flags) do
        match m with
        | :? MethodInfo as mi when not mi.IsSpecialName && not (generated mi) -> yield mi.Name.Split('.') |> Array.last
        | :? PropertyInfo as p when not (generated p) -> yield p.Name
        | :? FieldInfo as f when f.IsPublic && not f.IsSpecialName -> yield f.Name
        | _ -> ()
      if FSharp.Reflection.FSharpType.IsUnion(t, BindingFlags.Public) then
        for c in FSharp.Reflection.FSharpType.GetUnionCases t -> c.Name ]
    |> List.filter (fun n ->
        not (n.StartsWith "op_") && not (n.EndsWith "$W") && n <> "Item" && not (machinery.Contains n)
        && not (n.StartsWith "Is" && n.Length > 2 && Char.IsUpper n.[2] && FSharp.Reflection.FSharpType.IsUnion(t, BindingFlags.Public)))
    |> List.distinct

let private inCode (page: string) (name: string) =
    Regex.IsMatch(page, $"`[^`\\n]*(?<![A-Za-z0-9_]){Regex.Escape name}(?![A-Za-z0-9_])[^`\\n]*`")

// A union's case classes and Tags, and C#'s extension-block marker types, are compiler machinery.
let private listed (t: Type) =
    not (t.Name.StartsWith "<")
    && not (t.IsNested && FSharp.Reflection.FSharpType.IsUnion(t.DeclaringType, BindingFlags.Public))

let private missing (page: string) (types: Type seq) =
    let text = File.ReadAllText(docsPath page)
    [ for t in Seq.filter listed types do
        let typeName = t.Name.Split('`').[0]
        let isModule = t.GetCustomAttributes<CompilationMappingAttribute>() |> Seq.exists (fun a -> a.SourceConstructFlags = SourceConstructFlags.Module)
        let shown = typeName.Replace("Module", "")
        if not isModule && not (inCode text shown) then yield $"type %s{shown}"
        for n in names t do
            if not (inCode text n) then yield $"%s{shown}.%s{n}" ]

[<Tests>]
let tests =
    testList "front ends/docs list the public surface" [
        test "docs/fsharp.md names every public function and type of ArrayLang.FSharp and ArrayLang.FsCheck" {
            let types =
                [ typeof<ArrayLang.FSharp.VmapConfig>.Assembly; typeof<ArrayLang.FsCheck.VmapCheck>.Assembly ]
                |> Seq.collect (fun a -> a.GetExportedTypes())
            let absent = missing "fsharp.md" types
            Expect.isEmpty absent ("not in docs/fsharp.md: " + String.Join(", ", absent))
        }
        test "docs/csharp.md names every public method and type of ArrayLang.CSharp, Tensor, AxisIndex and the staging machinery" {
            let types =
                typeof<ArrayLang.CSharp.Fn>.Assembly.GetExportedTypes()
                |> Seq.append [ typeof<ArrayLang.Tracing.Tensor>; typeof<ArrayLang.Tracing.AxisIndex> ]
                |> Seq.append (typeof<ArrayLang.Staging.Staged>.Assembly.GetExportedTypes() |> Seq.filter (fun t -> t.Namespace = "ArrayLang.Staging"))
                |> Seq.append [ typeof<ArrayLang.Compile.DefaultBackend>; typeof<ArrayLang.Compile.BackendProviderAttribute> ]
            let absent = missing "csharp.md" types
            Expect.isEmpty absent ("not in docs/csharp.md: " + String.Join(", ", absent))
        }
    ]
