// Batched ODE integration: RK4 over many initial conditions, with scan over the time steps.
//
//   dotnet run --project examples/OdeRk4 [-- trajectories steps]
//
// The Van der Pol oscillator y'' = mu (1 - y^2) y' - y, written for ONE trajectory as a state
// (y, v); a scan runs the RK4 steps (the state is a tuple of tensors, carried from step to step)
// and vmap runs every initial condition and every mu at once.
module OdeRk4.Program

open ArrayLang.Ir
open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

/// The right-hand side: (y, v)' = (v, mu (1 - y^2) v - y).
let vanDerPol (mu: Tensor) (y: Tensor, v: Tensor) = v, mu * (1.0 - y * y) * v - y

/// One classical Runge-Kutta step of size dt for the state (y, v).
let rk4Step (f: Tensor * Tensor -> Tensor * Tensor) (dt: float) (y: Tensor, v: Tensor) =
    let axpy (a: float) (dy: Tensor, dv: Tensor) = y + a * dy, v + a * dv
    let k1 = f (y, v)
    let k2 = f (axpy (dt / 2.0) k1)
    let k3 = f (axpy (dt / 2.0) k2)
    let k4 = f (axpy dt k3)
    let combine (a1: Tensor) (a2: Tensor) (a3: Tensor) (a4: Tensor) = (a1 + 2.0 * a2 + 2.0 * a3 + a4) * (dt / 6.0)
    y + combine (fst k1) (fst k2) (fst k3) (fst k4), v + combine (snd k1) (snd k2) (snd k3) (snd k4)

/// One trajectory: from (y0, v0) with parameter mu, `steps` steps of dt; the final state and the y of every step.
let trajectory (steps: int) (dt: float) (mu: Tensor) (y0: Tensor) (v0: Tensor) =
    let final, ys = scanSteps steps (fun state -> let next = rk4Step (vanDerPol mu) dt state in next, fst next) (y0, v0)
    final, ys

/// Every trajectory at once: mu, y0 and v0 batched; the final states and the y paths ([B, steps]).
let integrate (steps: int) (dt: float) : float32[] -> float32[] -> float32[] -> (float32[] * float32[]) * float32[,] =
    jit (vmap (trajectory steps dt))

[<EntryPoint>]
let main argv =
    let n = if argv.Length > 0 then int argv.[0] else 1_000
    let steps = if argv.Length > 1 then int argv.[1] else 1_000
    let dt = 0.01
    let s = AVal.Scalar DType.F32
    printfn "One trajectory, per-example IR:\n%O" (lower [ s; s; s ] (trajectory steps dt))
    let mus = Array.init n (fun i -> 0.5f + 2.0f * float32 i / float32 n)
    let y0s = Array.init n (fun i -> float32 (cos (float i)))
    let v0s = Array.init n (fun i -> float32 (sin (float i)))
    let (y, v), paths = integrate steps dt mus y0s v0s
    printfn "%d trajectories of %d RK4 steps (t = %.1f):" n steps (float steps * dt)
    for i in [ 0; n / 2; n - 1 ] do
        printfn "  mu = %.3f  (y0, v0) = (%6.3f, %6.3f)  ->  (y, v) = (%7.4f, %7.4f)   max |y| on the way %.4f"
            mus.[i] y0s.[i] v0s.[i] y.[i] v.[i] (Seq.init steps (fun t -> abs paths.[i, t]) |> Seq.max)
    0
