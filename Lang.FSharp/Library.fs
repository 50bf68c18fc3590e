/// The F# front end: vmap, jit and the vectorize { } builder (arrives with the front-ends issue).
namespace ArrayLang.FSharp
