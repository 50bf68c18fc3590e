module ArrayLang.Tests.Primitives.ShapeTests

open Expecto
