printfn "quickstart"
