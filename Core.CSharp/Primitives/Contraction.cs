namespace ArrayLang.Primitives;

/// <summary>The Contraction family (filled in by its own change).</summary>
public static class Contraction
{
    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r) { }
}
