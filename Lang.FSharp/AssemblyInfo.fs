namespace ArrayLang.FSharp

open System.Runtime.CompilerServices

// The FsCheck kit checks transformed functions through the same machinery vmap and jit use.
[<assembly: InternalsVisibleTo("ArrayLang.FsCheck")>]
do ()
