module ArrayLang.Tests.NpyTests

open Expecto
