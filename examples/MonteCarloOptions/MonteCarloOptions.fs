// Monte Carlo option pricing: every path has its own random key, and a scan runs its time steps.
//
//   dotnet run --project examples/MonteCarloOptions [-- paths]
//
// One path is written as a per-example function of its key: draw its normal increments, scan the
// geometric Brownian motion over the time steps, and return the discounted payoffs of a European
// and an Asian call. vmap runs every path at once; the price is the mean. The European price is
// compared with the Black-Scholes formula.
module MonteCarloOptions.Program

open ArrayLang.Tracing
open ArrayLang.Values
open ArrayLang.FSharp

/// The market and the contract.
type Market =
    { Spot: float; Strike: float; Rate: float; Volatility: float; Maturity: float; Steps: int }

let market = { Spot = 100.0; Strike = 100.0; Rate = 0.05; Volatility = 0.2; Maturity = 1.0; Steps = 64 }

/// One path from its key (i32[2]): the discounted payoffs of a European call (on the final price)
/// and an Asian call (on the average price along the path).
let pathPayoffs (m: Market) (key: Tensor) =
    let dt = m.Maturity / float m.Steps
    let drift = (m.Rate - 0.5 * m.Volatility * m.Volatility) * dt
    let vol = m.Volatility * sqrt dt
    let z = Random.normal [ m.Steps ] key
    let final, path = scan (fun (s: Tensor) (zt: Tensor) -> let s' = s * exp (drift + vol * zt) in s', s') (Tensor.scalar m.Spot) z
    let discount = exp (-m.Rate * m.Maturity)
    discount * Tensor.relu (final - m.Strike), discount * Tensor.relu (Tensor.mean path - m.Strike)

/// The payoffs of every path, from a batch of keys (i32[paths, 2]).
let payoffs (m: Market) : NDArray -> float32[] * float32[] = jit (vmap (pathPayoffs m))

/// The prices: split one key into a key per path, run every path, average.
let prices (m: Market) (paths: int) : NDArray -> float32 * float32 =
    jit (fun (key: Tensor) ->
        let european, asian = (vmap (pathPayoffs m): Tensor -> Tensor * Tensor) (Random.split paths key)
        Tensor.mean european, Tensor.mean asian)

/// The Black-Scholes price of the European call.
let blackScholes (m: Market) =
    // the normal distribution function, by Abramowitz and Stegun 7.1.26 (error below 1e-7)
    let phi x =
        let t = 1.0 / (1.0 + 0.3275911 * abs x / sqrt 2.0)
        let erf = 1.0 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * exp (-(x * x / 2.0))
        0.5 * (1.0 + float (sign x) * erf)
    let d1 = (log (m.Spot / m.Strike) + (m.Rate + 0.5 * m.Volatility * m.Volatility) * m.Maturity) / (m.Volatility * sqrt m.Maturity)
    let d2 = d1 - m.Volatility * sqrt m.Maturity
    m.Spot * phi d1 - m.Strike * exp (-m.Rate * m.Maturity) * phi d2

[<EntryPoint>]
let main argv =
    let paths = if argv.Length > 0 then int argv.[0] else 20_000
    printfn "One path, per-example IR:\n%O" (lower [ ArrayLang.Ir.AVal.Of(ArrayLang.Ir.DType.I32, 2) ] (pathPayoffs market))
    let key = NDArray.Of([| 0; 1 |], 2)
    let european, asian = prices market paths key
    let keys : NDArray = jit (Random.split paths) key
    let e, _ = payoffs market keys
    let mean = Array.averageBy float e
    let stdError = sqrt ((Array.averageBy (fun x -> (float x - mean) ** 2.0) e) / float paths)
    let exact = blackScholes market
    printfn "%d paths of %d steps: European call %.4f (standard error %.4f; Black-Scholes %.4f, %.1f standard errors away), Asian call %.4f"
        paths market.Steps european stdError exact ((float european - exact) / stdError) asian
    0
