/// The default backend is found among the backends the application references (Note [default
/// backend discovery]), and the front ends reference no backend.
module ArrayLang.Tests.Compile.DefaultBackendTests

open System
open Expecto
open ArrayLang.Compile

/// A provider for the rule's tests: a name, and why it cannot run (None: it can).
type private FakeProvider(name: string, unavailable: string option) =
    interface IBackendProvider with
        member _.Name = name
        member _.Unavailable = Option.toObj unavailable
        member _.Create _ = ReferenceBackend.Instance :> IBackend

let private fake name = FakeProvider(name, None) :> IBackendProvider
let private broken name why = FakeProvider(name, Some why) :> IBackendProvider
let private choose (found: IBackendProvider list) requested = DefaultBackend.Choose(ResizeArray found, requested)

let private chooseError (found: IBackendProvider list) requested =
    Expect.throwsT<InvalidOperationException> (fun () -> choose found requested |> ignore) "an error"
    try choose found requested |> ignore; "" with e -> e.Message

[<Tests>]
let tests =
    testList "default backend" [
        test "this test process references cpu, cuda and opencl, and the default is the CPU backend" {
            let names = DefaultBackend.Referenced |> Seq.map (fun p -> p.Name) |> List.ofSeq
            Expect.equal names [ "cpu"; "cuda"; "opencl" ] "every backend the tests reference, by name"
            if String.IsNullOrEmpty(Environment.GetEnvironmentVariable DefaultBackend.EnvironmentVariable) then
                Expect.equal DefaultBackend.Instance.Name "cpu" "jit's backend"
                Expect.equal DefaultBackend.Provider.Name "cpu" "the provider"
                Expect.notEqual DefaultBackend.Eager.Name "cpu" "op by op is the CPU backend without fusion, a backend of its own name"
                Expect.stringStarts DefaultBackend.Eager.Name "cpu" "op by op runs on the CPU backend too"
        }

        test "the CPU backend is the default whenever it is referenced, also next to GPU backends" {
            Expect.equal (choose [ fake "cuda"; fake "cpu"; fake "opencl" ] null).Name "cpu" "cpu first"
        }

        test "without the CPU backend the first available one by name is the default" {
            Expect.equal (choose [ broken "cuda" "no CUDA device"; fake "opencl" ] null).Name "opencl" "the available one"
            Expect.equal (choose [ fake "cuda"; fake "opencl" ] null).Name "cuda" "by name"
        }

        test "a requested name wins, the reference evaluator included" {
            Expect.equal (choose [ fake "cpu"; fake "opencl" ] "opencl").Name "opencl" "requested"
            Expect.equal (choose [ fake "cpu" ] " Reference ").Name "reference" "the reference evaluator by name, any case"
        }

        test "no backend referenced: the error says which package to add" {
            let message = chooseError [] null
            Expect.stringContains message "no ArrayLang backend is referenced" "what is missing"
            Expect.stringContains message "dotnet add package ArrayLang.Backends.Cpu" "what to add"
            Expect.stringContains message "#r \"nuget: ArrayLang.Backends.Cpu\"" "in F# Interactive"
        }

        test "a requested backend that is not referenced, or cannot run here, is an error naming it" {
            let message = chooseError [ fake "cpu" ] "cuda"
            Expect.stringContains message "ARRAYLANG_BACKEND=cuda" "the variable and its value"
            Expect.stringContains message "referenced: cpu" "what is referenced"
            Expect.stringContains (chooseError [ fake "cpu"; broken "cuda" "no CUDA device" ] "cuda") "no CUDA device" "why it cannot run"
            Expect.stringContains (chooseError [ broken "cuda" "no CUDA device" ] null) "cuda: no CUDA device" "none can run"
        }

        test "the front ends and the FsCheck kit reference the core and FSharp.Core, no backend" {
            for asm in [ typeof<ArrayLang.FSharp.VmapConfig>.Assembly; typeof<ArrayLang.CSharp.Fn>.Assembly; typeof<ArrayLang.FsCheck.VmapCheck>.Assembly ] do
                let own =
                    asm.GetReferencedAssemblies()
                    |> Array.map (fun a -> a.Name)
                    |> Array.filter (fun n -> n.StartsWith "ArrayLang")
                    |> Set.ofArray
                Expect.isEmpty (own - set [ "ArrayLang.Core"; "ArrayLang.FSharp" ]) $"%s{asm.GetName().Name} references only the core (and the F# front end, for the kit)"
        }
    ]
