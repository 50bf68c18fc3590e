namespace ArrayLang.Primitives;

/// <summary>The Slicing family (filled in by its own change).</summary>
public static class Slicing
{
    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r) { }
}
