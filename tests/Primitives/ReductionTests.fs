module ArrayLang.Tests.Primitives.ReductionTests

open Expecto
