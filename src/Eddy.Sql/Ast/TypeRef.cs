using Eddy.Sql.Types;

namespace Eddy.Sql.Ast;

/// <summary>
/// A type as written in a statement. It may name custom types registered with CREATE TYPE, so it is
/// resolved to a <see cref="SqlType"/> against an <see cref="ITypeRegistry"/> when the statement runs.
/// </summary>
/// <example>
/// <code>
/// TypeRef t = SqlParser.ParseTypeRef("ARRAY&lt;ADDRESS&gt;");
/// SqlType resolved = t.Resolve(registry);
/// </code>
/// </example>
public abstract record TypeRef : SqlNode
{
    /// <summary>Resolves custom type names; throws <see cref="SqlException"/> for an unknown name.</summary>
    public abstract SqlType Resolve(ITypeRegistry? registry);

    /// <summary>True when no custom type name occurs in the type.</summary>
    public abstract bool IsBuiltIn { get; }
}

/// <summary>A built-in type: a primitive or DECIMAL(p, s).</summary>
/// <param name="Type">The type.</param>
/// <example>
/// <code>
/// var t = new BuiltInTypeRef(SqlTypes.BigInt);
/// </code>
/// </example>
public sealed record BuiltInTypeRef(SqlType Type) : TypeRef
{
    /// <inheritdoc/>
    public override SqlType Resolve(ITypeRegistry? registry) => Type;

    /// <inheritdoc/>
    public override bool IsBuiltIn => true;
}

/// <summary>ARRAY&lt;element&gt; (also written <c>element ARRAY</c>).</summary>
/// <param name="Element">The element type.</param>
/// <example>
/// <code>
/// var t = new ArrayTypeRef(new BuiltInTypeRef(SqlTypes.String));
/// </code>
/// </example>
public sealed record ArrayTypeRef(TypeRef Element) : TypeRef
{
    /// <inheritdoc/>
    public override SqlType Resolve(ITypeRegistry? registry) => SqlTypes.Array(Element.Resolve(registry));

    /// <inheritdoc/>
    public override bool IsBuiltIn => Element.IsBuiltIn;
}

/// <summary>MAP&lt;key, value&gt;.</summary>
/// <param name="Key">The key type.</param>
/// <param name="Value">The value type.</param>
/// <example>
/// <code>
/// var t = new MapTypeRef(new BuiltInTypeRef(SqlTypes.String), new BuiltInTypeRef(SqlTypes.Integer));
/// </code>
/// </example>
public sealed record MapTypeRef(TypeRef Key, TypeRef Value) : TypeRef
{
    /// <inheritdoc/>
    public override SqlType Resolve(ITypeRegistry? registry) => SqlTypes.Map(Key.Resolve(registry), Value.Resolve(registry));

    /// <inheritdoc/>
    public override bool IsBuiltIn => Key.IsBuiltIn && Value.IsBuiltIn;
}

/// <summary>One field of a STRUCT type as written.</summary>
/// <param name="Name">The field name (unquoted names upper-cased).</param>
/// <param name="Type">The field type.</param>
/// <example>
/// <code>
/// var f = new StructFieldRef("CITY", new BuiltInTypeRef(SqlTypes.String));
/// </code>
/// </example>
public sealed record StructFieldRef(string Name, TypeRef Type) : SqlNode;

/// <summary>STRUCT&lt;name type, ...&gt;.</summary>
/// <param name="Fields">The fields.</param>
/// <example>
/// <code>
/// var t = new StructTypeRef(new[] { new StructFieldRef("A", new BuiltInTypeRef(SqlTypes.Integer)) });
/// </code>
/// </example>
public sealed record StructTypeRef(NodeList<StructFieldRef> Fields) : TypeRef
{
    /// <inheritdoc/>
    public override SqlType Resolve(ITypeRegistry? registry)
    {
        var fields = new List<SqlStructField>(Fields.Count);
        foreach (var f in Fields)
        {
            fields.Add(new SqlStructField(f.Name, f.Type.Resolve(registry)));
        }

        return SqlTypes.Struct(fields);
    }

    /// <inheritdoc/>
    public override bool IsBuiltIn
    {
        get
        {
            foreach (var f in Fields)
            {
                if (!f.Type.IsBuiltIn)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>A type registered with CREATE TYPE, referred to by name.</summary>
/// <param name="Name">The type name (unquoted names upper-cased).</param>
/// <example>
/// <code>
/// var t = new CustomTypeRef("ADDRESS");
/// </code>
/// </example>
public sealed record CustomTypeRef(string Name) : TypeRef
{
    /// <inheritdoc/>
    public override SqlType Resolve(ITypeRegistry? registry)
    {
        if (registry is not null && registry.TryResolve(Name, out var type))
        {
            return type;
        }

        throw new SqlException($"Cannot resolve unknown type: {Name}. Register it first with CREATE TYPE {Name} AS <type>;", Location == default ? null : Location);
    }

    /// <inheritdoc/>
    public override bool IsBuiltIn => false;
}
