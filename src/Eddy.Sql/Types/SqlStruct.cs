using System.Text;

namespace Eddy.Sql.Types;

/// <summary>
/// A STRUCT value: its <see cref="SqlStructType"/> and one value per field, in field order. Fields are
/// read by position (what compiled expressions do) or by exact name.
/// </summary>
/// <example>
/// <code>
/// var type = SqlTypes.Struct(("CITY", SqlTypes.String), ("ZIP", SqlTypes.Integer));
/// var value = new SqlStruct(type, ["Paris", 75001]);
/// object? zip = value["ZIP"]; // 75001
/// </code>
/// </example>
public sealed class SqlStruct : IEquatable<SqlStruct>
{
    private readonly object?[] _values;

    /// <summary>Creates a struct value; <paramref name="values"/> must have one entry per field.</summary>
    public SqlStruct(SqlStructType type, object?[] values)
    {
        if (values.Length != type.Fields.Count)
        {
            throw new ArgumentException($"Expected {type.Fields.Count} values for {type}, got {values.Length}.", nameof(values));
        }

        Type = type;
        _values = values;
    }

    /// <summary>Creates a struct value with every field null.</summary>
    public SqlStruct(SqlStructType type)
    {
        Type = type;
        _values = new object?[type.Fields.Count];
    }

    /// <summary>The struct type.</summary>
    public SqlStructType Type { get; }

    /// <summary>The field values in field order.</summary>
    public IReadOnlyList<object?> Values => _values;

    /// <summary>The value of the field at a position.</summary>
    public object? this[int index]
    {
        get => _values[index];
        set => _values[index] = value;
    }

    /// <summary>The value of the field with this exact name; throws when there is no such field.</summary>
    public object? this[string name]
    {
        get
        {
            var i = Type.IndexOf(name);
            return i >= 0 ? _values[i] : throw new KeyNotFoundException($"STRUCT has no field '{name}'.");
        }

        set
        {
            var i = Type.IndexOf(name);
            if (i < 0)
            {
                throw new KeyNotFoundException($"STRUCT has no field '{name}'.");
            }

            _values[i] = value;
        }
    }

    /// <summary>Field-by-field equality of the values (types must have the same field names).</summary>
    public bool Equals(SqlStruct? other)
    {
        if (other is null || other._values.Length != _values.Length)
        {
            return false;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            if (!string.Equals(Type.Fields[i].Name, other.Type.Fields[i].Name, StringComparison.Ordinal)
                || !SqlValues.ValueEquals(_values[i], other._values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SqlStruct s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _values)
        {
            h.Add(SqlValues.ValueHashCode(v));
        }

        return h.ToHashCode();
    }

    /// <summary>Formats as Kafka Connect does, e.g. <c>Struct{F0=1,f1=3}</c> (null fields are left out).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Struct{");
        var first = true;
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] is null)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            sb.Append(Type.Fields[i].Name).Append('=');
            SqlValues.AppendJavaString(sb, _values[i]);
        }

        return sb.Append('}').ToString();
    }
}
