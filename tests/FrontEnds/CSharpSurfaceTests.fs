/// The public surface of the C# front end (ArrayLang.CSharp), read by reflection: no F# type in any
/// signature, every reference type nullable-annotated, and an XML doc summary for every public type
/// and method (issue 5, item 3).
module ArrayLang.Tests.FrontEnds.CSharpSurfaceTests

open System
open System.IO
open System.Reflection
open System.Runtime.CompilerServices
open System.Xml.Linq
open Expecto
open ArrayLang.CSharp

let private assembly = typeof<Fn>.Assembly

let private visible (m: MemberInfo) =
    match m with
    | :? MethodBase as b -> b.IsPublic || b.IsFamily || b.IsFamilyOrAssembly
    | :? FieldInfo as f -> f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly
    | :? PropertyInfo as p -> p.GetAccessors(true) |> Array.exists (fun a -> a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly)
    | :? EventInfo as e -> e.AddMethod.IsPublic
    | :? Type as t -> t.IsNestedPublic || t.IsNestedFamily
    | _ -> false

/// Every public or protected member declared by the exported types.
let private surface =
    [ for t in assembly.GetExportedTypes() do
        for m in t.GetMembers(BindingFlags.Public ||| BindingFlags.NonPublic ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly) do
            if visible m then yield t, m ]

/// The types a member's signature mentions (element and generic argument types included).
let private signatureTypes (m: MemberInfo) : Type list =
    let rec expand (t: Type) : Type list =
        if isNull t then []
        else
            t :: (if t.HasElementType then expand (t.GetElementType()) else [])
            @ (if t.IsGenericType then t.GetGenericArguments() |> Seq.collect expand |> List.ofSeq else [])
    let direct =
        match m with
        | :? MethodInfo as mi -> mi.ReturnType :: [ for p in mi.GetParameters() -> p.ParameterType ]
        | :? ConstructorInfo as c -> [ for p in c.GetParameters() -> p.ParameterType ]
        | :? PropertyInfo as p -> p.PropertyType :: [ for i in p.GetIndexParameters() -> i.ParameterType ]
        | :? FieldInfo as f -> [ f.FieldType ]
        | :? EventInfo as e -> [ e.EventHandlerType ]
        | _ -> []
    direct |> List.collect expand

let private isFSharp (t: Type) = t.Assembly.GetName().Name = "FSharp.Core"

let private compilerGenerated (m: MemberInfo) = not (isNull (m.GetCustomAttribute<CompilerGeneratedAttribute>()))

[<Tests>]
let tests =
    testList "front ends/C# surface" [
        test "ArrayLang.CSharp does not reference FSharp.Core, and no public signature mentions an F# type" {
            let references = assembly.GetReferencedAssemblies() |> Array.map (fun a -> a.Name)
            Expect.isFalse (Array.contains "FSharp.Core" references) "no reference to FSharp.Core"
            Expect.isGreaterThan surface.Length 50 "the surface was read"
            let leaks =
                [ for t, m in surface do
                    for s in signatureTypes m do
                        if isFSharp s then yield $"%s{t.Name}.%s{m.Name}: %s{s.FullName}" ]
                @ [ for t in assembly.GetExportedTypes() do
                        for b in (if isNull t.BaseType then [] else [ t.BaseType ]) @ List.ofArray (t.GetInterfaces()) do
                            if isFSharp b then yield $"%s{t.Name} derives from %s{b.FullName}" ]
            Expect.equal leaks [] "F# types in C# signatures"
        }
        test "every reference type in a public signature is nullable-annotated (not oblivious)" {
            let context = NullabilityInfoContext()
            let oblivious (what: string) (info: NullabilityInfo) =
                if not info.Type.IsValueType && info.ReadState = NullabilityState.Unknown then [ what ] else []
            // Members of a generic type definition (FnBase<TSelf>) are read through the concrete types that
            // inherit them (Fn1 .. Fn6), where TSelf is known; the rest as declared.
            let concrete =
                [ for t in assembly.GetExportedTypes() do
                    if not t.IsGenericTypeDefinition then
                        for m in t.GetMembers(BindingFlags.Public ||| BindingFlags.NonPublic ||| BindingFlags.Instance ||| BindingFlags.Static) do
                            if visible m && m.DeclaringType.Assembly = assembly then yield t, m ]
            let problems =
                [ for t, m in concrete do
                    let name = $"%s{t.Name}.%s{m.Name}"
                    match m with
                    | :? MethodInfo as mi when not (compilerGenerated mi) ->
                        yield! oblivious $"%s{name} returns" (context.Create mi.ReturnParameter)
                        for p in mi.GetParameters() do yield! oblivious $"%s{name}(%s{p.Name})" (context.Create p)
                    | :? ConstructorInfo as c ->
                        for p in c.GetParameters() do yield! oblivious $"%s{name}(%s{p.Name})" (context.Create p)
                    | :? PropertyInfo as p when not (compilerGenerated p) -> yield! oblivious name (context.Create p)
                    | :? FieldInfo as f -> yield! oblivious name (context.Create f)
                    | _ -> () ]
            Expect.equal problems [] "oblivious (unannotated) reference types"
            // and the annotations say what the API means
            let jit = typeof<Fn1>.GetMethod("Jit", [| typeof<ArrayLang.Compile.IBackend> |])
            Expect.equal (context.Create(jit.GetParameters().[0]).WriteState) NullabilityState.Nullable "Jit(IBackend? backend)"
            let invoke = typeof<Fn1>.GetMethod("Invoke", [| typeof<ArrayLang.Values.NDArray> |])
            Expect.equal (context.Create(invoke.GetParameters().[0]).WriteState) NullabilityState.NotNull "Invoke(NDArray x)"
        }
        test "every public type and method has an XML doc summary" {
            let xmlPath = Path.ChangeExtension(assembly.Location, ".xml")
            Expect.isTrue (File.Exists xmlPath) $"the XML documentation ships beside the assembly (%s{xmlPath})"
            let docs =
                XDocument.Load(xmlPath).Descendants(XName.Get "member")
                |> Seq.map (fun m -> m.Attribute(XName.Get "name").Value, (m.Element(XName.Get "summary") |> Option.ofObj |> Option.map (fun s -> s.Value.Trim()) |> Option.defaultValue ""))
                |> List.ofSeq
            let summaries =
                XDocument.Load(xmlPath).Descendants(XName.Get "member")
                |> Seq.map (fun m ->
                    let summary = m.Element(XName.Get "summary") |> Option.ofObj |> Option.map (fun s -> s.Value.Trim())
                    // C# 14 extension members: the implementation method inherits the doc of the member in the extension block
                    let inherited = m.Element(XName.Get "inheritdoc") |> Option.ofObj |> Option.map (fun i -> i.Attribute(XName.Get "cref").Value)
                    m.Attribute(XName.Get "name").Value, (summary, inherited))
                |> dict
            let hasSummary (name: string) =
                match summaries.TryGetValue name with
                | true, (Some summary, _) -> summary.Length > 10
                | true, (None, Some cref) -> (match summaries.TryGetValue cref with | true, (Some summary, _) -> summary.Length > 10 | _ -> false)
                | _ -> false
            let documented (prefix: string) = docs |> List.exists (fun (name, _) -> name.StartsWith prefix && hasSummary name)
            let typeName (t: Type) = t.FullName.Replace('+', '.')
            let missing =
                [ for t in assembly.GetExportedTypes() do
                    // the marker types of C# 14 extension blocks (<G>$...) are the compiler's, not the API's
                    if not (compilerGenerated t) && not (t.FullName.Contains '<') && not (documented $"T:%s{typeName t}") then
                        yield $"type %s{t.FullName}" ]
                @ [ for t, m in surface do
                        match m with
                        | :? MethodInfo as mi when not mi.IsSpecialName && not (compilerGenerated mi) && not (t.FullName.Contains '<') ->
                            // records synthesize Equals, GetHashCode, ToString, Deconstruct, PrintMembers; C# needs no docs for those
                            let synthesized = t.GetMethod("<Clone>$") |> isNull |> not
                            if not (synthesized && List.contains mi.Name [ "Equals"; "GetHashCode"; "ToString"; "Deconstruct"; "PrintMembers" ])
                               && not (documented $"M:%s{typeName t}.%s{mi.Name}") then
                                yield $"method %s{t.Name}.%s{mi.Name}"
                        | _ -> () ]
            Expect.equal missing [] "undocumented"
        }
    ]
