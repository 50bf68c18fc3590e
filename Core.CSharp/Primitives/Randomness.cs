namespace ArrayLang.Primitives;

/// <summary>The Randomness family (filled in by its own change).</summary>
public static class Randomness
{
    /// <summary>Registers the family's primitives and batching rules.</summary>
    public static void Register(Registrar r) { }
}
