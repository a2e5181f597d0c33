using System.Text;
using Eddy.Sql.Ast;

namespace Eddy.Sql.Types;

/// <summary>Where a column's value lives in a record.</summary>
/// <example><code>var kind = ColumnKind.Key;</code></example>
public enum ColumnKind
{
    /// <summary>In the record key.</summary>
    Key,

    /// <summary>In the record value.</summary>
    Value,

    /// <summary>In the record headers (all of them, or the one named by <see cref="Column.HeaderKey"/>).</summary>
    Header,
}

/// <summary>A column of a stream or table.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Kind">Key, value or header.</param>
/// <param name="HeaderKey">For a HEADER('k') column, the header key; null for HEADERS (all headers) and other kinds.</param>
/// <example>
/// <code>
/// var id = new Column("ID", SqlTypes.BigInt, ColumnKind.Key);
/// Console.WriteLine(id); // `ID` BIGINT KEY
/// </code>
/// </example>
public sealed record Column(string Name, SqlType Type, ColumnKind Kind = ColumnKind.Value, string? HeaderKey = null)
{
    /// <summary>Formats as ksqlDB does in schemas: <c>`ID` BIGINT KEY</c>.</summary>
    public override string ToString() => ToString(table: false);

    /// <summary>Formats with KEY (streams) or PRIMARY KEY (tables).</summary>
    public string ToString(bool table)
    {
        var sb = new StringBuilder();
        sb.Append('`').Append(Name.Replace("`", "``", StringComparison.Ordinal)).Append("` ").Append(Type);
        switch (Kind)
        {
            case ColumnKind.Key:
                sb.Append(table ? " PRIMARY KEY" : " KEY");
                break;
            case ColumnKind.Header:
                sb.Append(HeaderKey is null ? " HEADERS" : $" HEADER({SqlFormatter.QuoteString(HeaderKey)})");
                break;
        }

        return sb.ToString();
    }
}

/// <summary>
/// The columns of a stream or table: key columns, value columns and header columns, in declaration
/// order. Prints as ksqlDB prints schemas: <c>`K` STRING KEY, `V` INTEGER</c>.
/// </summary>
/// <example>
/// <code>
/// var schema = LogicalSchema.FromColumns(SqlParser.ParseColumns("ID BIGINT KEY, NAME STRING"), registry: null);
/// IReadOnlyList&lt;Column&gt; values = schema.Value;
/// </code>
/// </example>
public sealed class LogicalSchema : IEquatable<LogicalSchema>
{
    private readonly Column[] _columns;

    /// <summary>Creates a schema from columns in order.</summary>
    public LogicalSchema(IEnumerable<Column> columns)
    {
        _columns = [.. columns];
        Key = _columns.Where(c => c.Kind == ColumnKind.Key).ToArray();
        Value = _columns.Where(c => c.Kind == ColumnKind.Value).ToArray();
        Headers = _columns.Where(c => c.Kind == ColumnKind.Header).ToArray();
    }

    /// <summary>Every column in declaration order.</summary>
    public IReadOnlyList<Column> Columns => _columns;

    /// <summary>The key columns.</summary>
    public IReadOnlyList<Column> Key { get; }

    /// <summary>The value columns.</summary>
    public IReadOnlyList<Column> Value { get; }

    /// <summary>The header columns.</summary>
    public IReadOnlyList<Column> Headers { get; }

    /// <summary>Builds a schema from parsed column definitions (CREATE STREAM/TABLE or a test's schema string).</summary>
    public static LogicalSchema FromColumns(IEnumerable<TableElement> elements, ITypeRegistry? registry)
    {
        var columns = new List<Column>();
        foreach (var e in elements)
        {
            var kind = e.Constraint switch
            {
                ColumnConstraint.Key or ColumnConstraint.PrimaryKey => ColumnKind.Key,
                ColumnConstraint.Headers or ColumnConstraint.Header => ColumnKind.Header,
                _ => ColumnKind.Value,
            };
            columns.Add(new Column(e.Name, e.Type.Resolve(registry), kind, e.HeaderKey));
        }

        return new LogicalSchema(columns);
    }

    /// <summary>The column with this name, or null.</summary>
    public Column? Find(string name) => _columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>Formats as ksqlDB does.</summary>
    public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));

    /// <summary>Formats with PRIMARY KEY for key columns when <paramref name="table"/> is true.</summary>
    public string ToString(bool table) => string.Join(", ", _columns.Select(c => c.ToString(table)));

    /// <inheritdoc/>
    public bool Equals(LogicalSchema? other) => other is not null && _columns.SequenceEqual(other._columns);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LogicalSchema s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var c in _columns)
        {
            h.Add(c);
        }

        return h.ToHashCode();
    }
}
