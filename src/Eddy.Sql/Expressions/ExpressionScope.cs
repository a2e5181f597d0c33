using Eddy.Sql.Ast;
using Eddy.Sql.Types;

namespace Eddy.Sql.Expressions;

/// <summary>Where a column's value is in the row array a compiled expression reads, and its type.</summary>
/// <param name="Index">The position in the row array.</param>
/// <param name="Type">The column's type.</param>
/// <example><code>var b = new ColumnBinding(0, SqlTypes.BigInt);</code></example>
public readonly record struct ColumnBinding(int Index, SqlType Type);

/// <summary>
/// What names an expression can refer to: the columns of its input row, and (for a planner) whole
/// sub-expressions already computed upstream, such as aggregates or GROUP BY expressions.
/// </summary>
/// <example>
/// <code>
/// IExpressionScope scope = new RowScope([new("ID", SqlTypes.BigInt), new("NAME", SqlTypes.String)]);
/// </code>
/// </example>
public interface IExpressionScope
{
    /// <summary>The columns' names, for "did you mean" suggestions.</summary>
    IEnumerable<string> ColumnNames { get; }

    /// <summary>
    /// Resolves <c>source.name</c> or <c>name</c>; null when unknown. Throws <see cref="SqlException"/>
    /// when an unqualified name is ambiguous.
    /// </summary>
    ColumnBinding? ResolveColumn(string? source, string name);

    /// <summary>A whole expression computed upstream (an aggregate, a GROUP BY key), or null.</summary>
    ColumnBinding? ResolveExpression(SqlExpression expression) => null;
}

/// <summary>One column of a <see cref="RowScope"/>.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Source">The source name or alias that qualifies it, if any.</param>
/// <example><code>var c = new ScopeColumn("ID", SqlTypes.BigInt, "O");</code></example>
public sealed record ScopeColumn(string Name, SqlType Type, string? Source = null);

/// <summary>
/// A scope over a row array: column i of the scope is element i of the row. Expressions may also be
/// mapped to positions (see <see cref="MapExpression"/>).
/// </summary>
/// <example>
/// <code>
/// var scope = new RowScope([new("ID", SqlTypes.BigInt), new("PRICE", SqlTypes.Decimal(10, 2))]);
/// var price = compiler.Compile(SqlParser.ParseExpression("price * 2"), scope);
/// object? doubled = price.Evaluate([1L, SqlDecimal.Parse("4.50")]);
/// </code>
/// </example>
public sealed class RowScope : IExpressionScope
{
    private readonly List<ScopeColumn> _columns;
    private readonly Dictionary<SqlExpression, ColumnBinding> _expressions = [];

    /// <summary>Creates a scope from columns in row order.</summary>
    public RowScope(IEnumerable<ScopeColumn> columns)
    {
        _columns = [.. columns];
    }

    /// <summary>The columns in row order.</summary>
    public IReadOnlyList<ScopeColumn> Columns => _columns;

    /// <inheritdoc/>
    public IEnumerable<string> ColumnNames => _columns.Select(c => c.Name);

    /// <summary>Says that an expression's value is at a row position (structural match).</summary>
    public RowScope MapExpression(SqlExpression expression, int index, SqlType type)
    {
        _expressions[expression] = new ColumnBinding(index, type);
        return this;
    }

    /// <inheritdoc/>
    public ColumnBinding? ResolveColumn(string? source, string name)
    {
        ColumnBinding? found = null;
        string? foundSource = null;
        for (var i = 0; i < _columns.Count; i++)
        {
            var c = _columns[i];
            if (!string.Equals(c.Name, name, StringComparison.Ordinal))
            {
                continue;
            }

            if (source is not null && !string.Equals(c.Source, source, StringComparison.Ordinal))
            {
                continue;
            }

            if (found is not null)
            {
                if (source is not null)
                {
                    continue;
                }

                throw new SqlException($"Column '{name}' is ambiguous. Could be {foundSource}.{name} or {c.Source}.{name}.");
            }

            found = new ColumnBinding(i, c.Type);
            foundSource = c.Source;
        }

        return found;
    }

    /// <inheritdoc/>
    public ColumnBinding? ResolveExpression(SqlExpression expression) =>
        _expressions.TryGetValue(expression, out var b) ? b : null;
}
