module ArrayLang.Tests.Primitives.RandomnessTests

open Expecto
