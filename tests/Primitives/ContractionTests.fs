module ArrayLang.Tests.Primitives.ContractionTests

open Expecto
