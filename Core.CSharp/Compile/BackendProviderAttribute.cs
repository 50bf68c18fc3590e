namespace ArrayLang.Compile;

/// <summary>
/// Names the <see cref="IBackendProvider"/> a backend assembly carries, so that
/// <see cref="DefaultBackend"/> finds the backends an application references without naming them
/// (Note [default backend discovery]). <see cref="ProviderType"/> must have a public static
/// <c>Instance</c> field or property holding the provider.
/// </summary>
/// <example><code>[assembly: BackendProvider(typeof(CpuBackendProvider))]</code></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class BackendProviderAttribute(Type providerType) : Attribute
{
    /// <summary>The provider's type.</summary>
    public Type ProviderType { get; } = providerType;
}
