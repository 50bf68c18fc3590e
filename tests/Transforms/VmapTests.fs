module ArrayLang.Tests.Transforms.VmapTests

open Expecto
