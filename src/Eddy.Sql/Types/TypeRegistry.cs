using System.Collections.Concurrent;

namespace Eddy.Sql.Types;

/// <summary>Resolves the names of custom types (CREATE TYPE name AS type).</summary>
/// <example>
/// <code>
/// if (registry.TryResolve("ADDRESS", out var type)) { ... }
/// </code>
/// </example>
public interface ITypeRegistry
{
    /// <summary>Looks a custom type up by its (case-sensitive, normalized) name.</summary>
    bool TryResolve(string name, out SqlType type);
}

/// <summary>A thread-safe in-memory <see cref="ITypeRegistry"/>.</summary>
/// <example>
/// <code>
/// var types = new TypeRegistry();
/// types.Register("ADDRESS", SqlTypes.Struct(("STREET", SqlTypes.String)));
/// </code>
/// </example>
public sealed class TypeRegistry : ITypeRegistry
{
    private readonly ConcurrentDictionary<string, SqlType> _types = new(StringComparer.Ordinal);

    /// <summary>All registered types by name.</summary>
    public IReadOnlyDictionary<string, SqlType> Types => _types;

    /// <summary>Registers a type; returns false when the name is already taken.</summary>
    public bool Register(string name, SqlType type) => _types.TryAdd(name, type);

    /// <summary>Removes a type; returns false when it was not registered.</summary>
    public bool Unregister(string name) => _types.TryRemove(name, out _);

    /// <inheritdoc/>
    public bool TryResolve(string name, out SqlType type) => _types.TryGetValue(name, out type!);
}
