module ArrayLang.Tests.Primitives.ControlFlowTests

open Expecto
