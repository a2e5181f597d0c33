using Eddy.Sql.Analysis;
using Eddy.Sql.Expressions;

namespace Eddy.Sql.Internal.Analysis;

/// <summary>
/// The scope of a query's input row: qualified names must use a known alias, unqualified names must
/// be unambiguous across sources (pseudo columns resolve to the first source's).
/// </summary>
internal sealed class QueryScope : IExpressionScope
{
    private readonly IReadOnlyList<InputColumn> _columns;
    private readonly HashSet<string> _aliases;

    public QueryScope(IReadOnlyList<InputColumn> columns, IEnumerable<string> aliases)
    {
        _columns = columns;
        _aliases = new HashSet<string>(aliases, StringComparer.Ordinal);
    }

    public IEnumerable<string> ColumnNames => _columns.Select(c => c.Name).Distinct();

    public bool IsAlias(string name) => _aliases.Contains(name);

    public ColumnBinding? ResolveColumn(string? source, string name) =>
        Find(source, name) is { } i ? new ColumnBinding(i, _columns[i].Type) : null;

    /// <summary>The index of the column a reference means, or null; throws for unknown qualifiers and ambiguity.</summary>
    public int? Find(string? source, string name)
    {
        if (source is not null && !_aliases.Contains(source))
        {
            throw new SqlException($"'{source}' is not a valid stream/table name or alias.");
        }

        int? found = null;
        var ambiguous = new List<int>();
        for (var i = 0; i < _columns.Count; i++)
        {
            var c = _columns[i];
            if (!string.Equals(c.Name, name, StringComparison.Ordinal))
            {
                continue;
            }

            if (source is not null)
            {
                if (string.Equals(c.Source, source, StringComparison.Ordinal))
                {
                    return i;
                }

                continue;
            }

            if (found is null)
            {
                found = i;
            }
            else if (c.Kind != InputColumnKind.Pseudo)
            {
                ambiguous.Add(i);
            }
        }

        if (found is { } f && ambiguous.Count > 0)
        {
            var all = new[] { f }.Concat(ambiguous).Select(i => $"{_columns[i].Source}.{name}").ToArray();
            throw new SqlException($"Column '{name}' is ambiguous. Could be {GrammaticalJoin(all, "or")}.");
        }

        return found;
    }

    public InputColumn Column(int index) => _columns[index];

    /// <summary>Joins items as ksqlDB does: "A", "A or B", "A, B or C".</summary>
    public static string GrammaticalJoin(IReadOnlyList<string> items, string conjunction) => items.Count switch
    {
        0 => string.Empty,
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + $" {conjunction} " + items[^1],
    };
}
