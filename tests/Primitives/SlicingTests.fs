module ArrayLang.Tests.Primitives.SlicingTests

open Expecto
