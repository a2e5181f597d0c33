using System.Runtime.CompilerServices;
using Eddy.Sql.Analysis;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Planning;
using Eddy.Sql.Types;
using Eddy.Streams;
using Eddy.Streams.Errors;

namespace Eddy.Sql.Engine.Execution;

/// <summary>
/// Pull queries on a table materialized by a running CREATE TABLE AS SELECT: reads the query's result
/// store through interactive queries, rebuilds each entry as the table's input row (columns, ROWTIME,
/// WINDOWSTART/WINDOWEND), then applies WHERE, the projection and LIMIT. Key lookups, IN lists, key
/// ranges and window bounds are all WHERE predicates over that row; a single-key equality on an
/// unwindowed table is answered with a point lookup.
/// </summary>
internal static class PullQuery
{
    public static async Task<IQueryHandle> RunAsync(AnalyzedQuery query, RunningQuery running, FunctionRegistry functions, TimeSpan wait, CancellationToken cancellationToken)
    {
        var source = query.Sources[0].Source;
        var compiler = new ExpressionCompiler(functions);
        var where = query.Where is { } w ? compiler.CompilePredicate(w, query.InputScope, "WHERE").Delegate : null;
        var projection = compiler.CompileProjection(query.Projection.Select(p => p.Expression).ToList(), query.InputScope, "SELECT");
        var columns = query.Projection.Select(p => new QueryColumn(p.Name, p.Type)).ToList();
        var layout = new InputRowLayout(source);
        var limit = query.Query.Limit;

        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (running.ErrorMessage is { } error)
            {
                throw new SqlException($"The query {running.Plan.QueryId} that materializes {source.Name} failed: {error}");
            }

            try
            {
                var store = running.Streams.Store(StoreQueryParameters.FromNameAndType(RunningQuery.ResultStore, QueryableStoreTypes.TimestampedKeyValueStore<object?[], object?[]>()));
                var rows = new List<QueryRow>();
                using (var all = store.All())
                {
                    while (all.MoveNext() && (limit is null || rows.Count < limit))
                    {
                        var (key, vt) = (all.Current.Key, all.Current.Value);
                        if (vt.Value is null)
                        {
                            continue;
                        }

                        var input = InputRow(layout, key, vt.Value, vt.Timestamp);
                        if (where is not null && !where(input))
                        {
                            continue;
                        }

                        rows.Add(new QueryRow(projection.Evaluate(input)));
                    }
                }

                return new PullQueryHandle("query_" + Guid.NewGuid().ToString("N")[..12], columns, rows);
            }
            catch (InvalidStateStoreException) when (DateTime.UtcNow < deadline)
            {
                // Still starting or rebalancing: ask again shortly.
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidStateStoreException e)
            {
                throw new SqlException($"Table {source.Name} is not queryable yet ({running.Plan.QueryId} is {running.State}): {e.Message}", e);
            }
        }
    }

    /// <summary>The row a pull query's expressions read: the table's columns in schema order, then ROWTIME, ROWPARTITION, ROWOFFSET (and WINDOWSTART, WINDOWEND).</summary>
    private static object?[] InputRow(InputRowLayout layout, object?[] key, object?[] value, long timestamp)
    {
        var row = new object?[layout.Width];
        var slots = layout.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var (kind, index, _) = slots[i];
            row[i] = kind switch
            {
                ColumnKind.Key => index < key.Length ? key[index] : null,
                ColumnKind.Value => index < value.Length ? value[index] : null,
                _ => null,
            };
        }

        var p = slots.Length;
        row[p] = timestamp;
        row[p + 1] = 0;
        row[p + 2] = 0L;
        if (layout.Windowed && key.Length >= layout.KeyCount + 2)
        {
            row[p + 3] = key[layout.KeyCount];
            row[p + 4] = key[layout.KeyCount + 1];
        }

        return row;
    }
}

/// <summary>A pull query's (already read) result.</summary>
internal sealed class PullQueryHandle(string queryId, IReadOnlyList<QueryColumn> columns, IReadOnlyList<QueryRow> rows) : IQueryHandle
{
    public string QueryId => queryId;

    public bool IsPull => true;

    public IReadOnlyList<QueryColumn> Columns => columns;

    public async IAsyncEnumerable<IReadOnlyList<object?>> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
