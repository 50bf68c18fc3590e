module ArrayLang.Tests.Primitives.ElementwiseTests

open Expecto
