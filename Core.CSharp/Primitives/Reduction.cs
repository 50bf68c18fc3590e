namespace ArrayLang.Primitives;

/// <summary>The Reduction family (filled in by its own change).</summary>
public static class Reduction
{
    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r) { }
}
