namespace ArrayLang.Primitives;

/// <summary>The ControlFlow family (filled in by its own change).</summary>
public static class ControlFlow
{
    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r) { }
}
