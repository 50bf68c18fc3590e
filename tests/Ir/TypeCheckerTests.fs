module ArrayLang.Tests.Ir.TypeCheckerTests

open Expecto
