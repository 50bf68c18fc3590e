module ArrayLang.Tests.Ir.TextTests

open Expecto
