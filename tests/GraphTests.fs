/// Pictures of programs (issue 13): Function.ToDot, LoweredProgram.ToDot and `arraylang graph`.
module ArrayLang.Tests.GraphTests

open System
open System.IO
open Expecto
open ArrayLang.Ir
open ArrayLang.Compile
open ArrayLang.Cli

let private w2 =
    """func w2(x: f32[]) -> (f32[]) {
      a: f32[] = mul(x, 1.5)  b: f32[] = add(a, 2.0)  c: f32[] = mul(b, x)  d: f32[] = sub(c, 0.5)
      e: f32[] = mul(x, x)  g: f32[] = neg(e)  h: f32[] = exp(g)  i: f32[] = mul(d, h)  j: f32[] = tanh(i)
      k: f32[] = abs(x)  l: f32[] = add(k, 1.0)  m: f32[] = sqrt(l)  r: f32[] = add(j, m)
      return (r) }"""

let private cli (args: string list) =
    use out = new StringWriter()
    use err = new StringWriter()
    let rc = CliMain.Run(Array.ofList args, out, err)
    rc, out.ToString(), err.ToString()

[<Tests>]
let tests =
    testList "graphs" [
        test "Function.ToDot draws every equation, parameter and result, and sub-functions as clusters" {
            let f = IrParser.ParseFunction w2
            let dot = f.ToDot()
            Expect.stringStarts dot "digraph \"w2\"" "a digraph named after the function"
            for prim in [ "mul"; "add"; "tanh"; "sqrt"; "exp" ] do Expect.stringContains dot (sprintf "label=\"%s\"" prim) prim
            Expect.stringContains dot "x: f32[]" "the parameter"
            Expect.stringContains dot "result 0: f32[]" "the result"
            let scan =
                IrParser.ParseFunction """func f(h: f32[], xs: f32[4]) -> (f32[]) {
                  r: f32[] = scan[length=4, consts=0, carries=1](h, xs) {
                    func body(h: f32[], x: f32[]) -> (f32[]) { y: f32[] = add(h, x)  return (y) } }
                  return (r) }"""
            let d = scan.ToDot()
            Expect.stringContains d "subgraph cluster_c1" "the body is a cluster"
            Expect.stringContains d "style=dashed" "joined to its scan"
        }
        test "LoweredProgram.ToDot shows the fused kernel and its buffers" {
            let f = IrParser.ParseFunction w2
            let batched = ArrayLang.Transforms.Vmap.Apply(f, 1000, ResizeArray [ Nullable 0 ])
            let dot = (Compiler.Lower batched).ToDot()
            Expect.stringContains dot "k0: elementwise over [1000]" "one fused kernel"
            Expect.isFalse (dot.Contains "k1:") "W2 fuses into one kernel"
            Expect.stringContains dot "input #0" "its input buffer"
            Expect.stringContains dot "output #0" "its output buffer"
        }
        test "arraylang graph writes DOT, or SVG through graphviz, replacing an old file only when done" {
            let dir = Directory.CreateTempSubdirectory("arraylang-graph").FullName
            let ir = Path.Combine(dir, "w2.ir")
            File.WriteAllText(ir, w2)
            let dotPath = Path.Combine(dir, "w2.dot")
            let rc, out, err = cli [ "graph"; ir; "--vmap"; "0"; "--lowered"; "-o"; dotPath ]
            Expect.equal rc 0 (sprintf "graph succeeds: %s" err)
            Expect.stringContains out "wrote" "says what it wrote"
            Expect.stringStarts (File.ReadAllText dotPath) "digraph" "a DOT file"
            let svg = Path.Combine(dir, "w2.svg")
            let rc, out, err = cli [ "graph"; ir; "-o"; svg ]
            Expect.equal rc 0 (sprintf "graph succeeds: %s" err)
            let hasDot =
                (Environment.GetEnvironmentVariable "PATH").Split(Path.PathSeparator)
                |> Array.exists (fun d -> File.Exists(Path.Combine(d, "dot")))
            if hasDot then Expect.stringContains (File.ReadAllText svg) "<svg" "rendered by graphviz"
            else Expect.stringContains out "render it with: dot -Tsvg" "says how to render it"
            let rc, _, err = cli [ "graph"; ir; "-o"; Path.Combine(dir, "missing", "x.svg") ]
            Expect.equal rc 2 "a missing output directory is a usage error"
            Expect.stringContains err "does not exist" "says so"
            Directory.Delete(dir, true)
        }
    ]
