module ArrayLang.Tests.CliTests

open Expecto
