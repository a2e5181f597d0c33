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
/// Pull queries on a table materialized by a running CREATE TABLE AS SELECT (or a source table): reads the query's result
/// store through interactive queries, rebuilds each entry as the table's input row (columns, ROWTIME,
/// WINDOWSTART/WINDOWEND), then applies WHERE, the projection and LIMIT. A WHERE that pins the single key
/// column of a non-windowed table to literals (<c>ID = 10</c>, <c>ID IN (1, 2)</c>, possibly ANDed with more)
/// reads just those keys from the store; anything else (ranges, window bounds, other columns) scans it.
/// </summary>
internal static class PullQuery
{
    public static async Task<IQueryHandle> RunAsync(AnalyzedQuery query, RunningQuery running, FunctionRegistry functions, TimeSpan wait, CancellationToken cancellationToken)
    {
        var source = query.Sources[0].Source;
        // Interpreted: a pull query evaluates its expressions over a few rows, so JIT-compiling them costs more than it saves.
        var compiler = new ExpressionCompiler(functions) { Interpret = true };
        var where = query.Where is { } w ? compiler.CompilePredicate(w, query.InputScope, "WHERE").Delegate : null;
        var projection = compiler.CompileProjection(query.Projection.Select(p => p.Expression).ToList(), query.InputScope, "SELECT");
        var columns = Columns(query);
        var layout = new InputRowLayout(source);
        var limit = query.Query.Limit;
        if (source.Schema.Key.Count == 1 && query.Where is { } checkedWhere)
        {
            CheckKeyLiterals(checkedWhere, source.Schema.Key[0]);
        }

        var lookups = source.Window is null && source.Schema.Key.Count == 1 && query.Where is { } predicate
            ? KeyLookups(predicate, source.Schema.Key[0])
            : null;
        // ksqlDB answers `key IN (a, b)` key by key, in the order listed: a scan (windowed tables, or keys
        // that could not be looked up directly) sorts its rows the same way.
        var inOrder = source.Schema.Key.Count == 1 && query.Where is { } ordered ? InListOrder(ordered, source.Schema.Key[0]) : null;

        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            if (running.ErrorMessage is { } error)
            {
                throw new SqlException($"The query {running.Plan.QueryId} that materializes {source.Name} failed: {error}");
            }

            if (running.Streams.State is KafkaStreamsState.NotRunning or KafkaStreamsState.PendingShutdown or KafkaStreamsState.Error or KafkaStreamsState.PendingError)
            {
                throw new SqlException($"Table {source.Name} is not queryable: its query {running.Plan.QueryId} is not running.");
            }

            try
            {
                var store = running.Streams.Store(StoreQueryParameters.FromNameAndType(RunningQuery.ResultStore, QueryableStoreTypes.TimestampedKeyValueStore<object?[], object?[]>()));
                var rows = new List<QueryRow>();
                if (lookups is not null)
                {
                    foreach (var key in lookups)
                    {
                        if (limit is not null && rows.Count >= limit)
                        {
                            break;
                        }

                        if (store.Get(key) is { Value: { } value } found)
                        {
                            var input = InputRow(layout, key, value, found.Timestamp);
                            if (where is null || where(input))
                            {
                                rows.Add(new QueryRow(projection.Evaluate(input)));
                            }
                        }
                    }

                    return new PullQueryHandle("query_" + Guid.NewGuid().ToString("N")[..12], columns, rows);
                }

                // Rows are put in ksqlDB's order after the scan: keys in IN-list order, and each key's windows
                // by start time (the store's byte order is neither).
                var windowed = source.Window is not null;
                var order = inOrder is null && !windowed ? null : new List<(int Listed, int Key, long Start)>();
                var keyGroups = new Dictionary<object, int>(SqlValues.Comparer);
                using (var all = store.All())
                {
                    while (all.MoveNext() && (limit is null || order is not null || rows.Count < limit))
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
                        if (order is not null)
                        {
                            var first = key.Length > 0 ? key[0] : null;
                            var listed = first is not null && inOrder is not null && inOrder.TryGetValue(first, out var position) ? position : int.MaxValue;
                            var group = first is null ? -1 : keyGroups.TryGetValue(first, out var g) ? g : keyGroups[first] = keyGroups.Count;
                            var start = windowed && key.Length >= 2 && key[^2] is long ws ? ws : 0L;
                            order.Add((listed, group, start));
                        }
                    }
                }

                if (order is not null)
                {
                    rows = [.. rows.Select((row, i) => (row, i)).OrderBy(r => order[r.i].Listed).ThenBy(r => order[r.i].Key).ThenBy(r => order[r.i].Start).ThenBy(r => r.i).Select(r => r.row)];
                    if (limit is not null && rows.Count > limit)
                    {
                        rows.RemoveRange(limit.Value, rows.Count - limit.Value);
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

    /// <summary>
    /// A pull query on a stream (ksqlDB 0.23+): reads every partition of the stream's topic from its
    /// beginning up to the end it had when the query started, then applies WHERE, the projection and LIMIT.
    /// </summary>
    public static async Task<IQueryHandle> ScanStreamAsync(AnalyzedQuery query, KafkaRuntime runtime, FunctionRegistry functions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = query.Sources[0].Source;
        var compiler = new ExpressionCompiler(functions);
        var where = query.Where is { } w ? compiler.CompilePredicate(w, query.InputScope, "WHERE").Delegate : null;
        var projection = compiler.CompileProjection(query.Projection.Select(p => p.Expression).ToList(), query.InputScope, "SELECT");
        var columns = Columns(query);
        var layout = new InputRowLayout(source);
        var limit = query.Query.Limit;
        var keySerde = RowSerde.Key(source);
        var valueSerde = RowSerde.Value(source);
        var partitions = await runtime.PartitionsAsync(source.Topic, cancellationToken).ConfigureAwait(false)
            ?? throw new SqlException($"Topic '{source.Topic}' of stream {source.Name} does not exist.");
        var tps = Enumerable.Range(0, partitions).Select(p => new Client.TopicPartition(source.Topic, p)).ToList();
        var ends = (await runtime.Admin.ListOffsetsAsync(tps.ToDictionary(tp => tp, _ => Client.Offsets.End), cancellationToken: cancellationToken).ConfigureAwait(false))
            .ToDictionary(o => o.TopicPartition, o => o.Offset);
        var rows = new List<QueryRow>();
        var consumerConfig = new Client.ConsumerConfig { BootstrapServers = runtime.Options.BootstrapServers, ClientId = "eddy-sql-pull", EnableAutoCommit = false };
        await using (var consumer = new Client.KafkaConsumer<byte[], byte[]>(consumerConfig, Client.Deserializers.ByteArray, Client.Deserializers.ByteArray, runtime.Options.LoggerFactory))
        {
            consumer.Assign(tps.Where(tp => ends[tp] > 0).Select(tp => new Client.TopicPartitionOffset(tp, Client.Offsets.Beginning)));
            var done = new HashSet<Client.TopicPartition>(tps.Where(tp => ends[tp] <= 0));
            var deadline = DateTime.UtcNow + timeout;
            while (done.Count < tps.Count && (limit is null || rows.Count < limit))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new SqlException($"Timed out reading stream {source.Name} (topic {source.Topic}) for a pull query.");
                }

                foreach (var record in await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false))
                {
                    if (record.Offset >= ends[record.TopicPartition])
                    {
                        done.Add(record.TopicPartition);
                        continue;
                    }

                    if (record.Offset + 1 >= ends[record.TopicPartition])
                    {
                        done.Add(record.TopicPartition);
                    }

                    if (limit is not null && rows.Count >= limit)
                    {
                        continue;
                    }

                    object?[] key, value;
                    try
                    {
                        var ctx = new Streams.SerDes.SerializationContext(Streams.SerDes.MessageComponentType.Key, source.Topic);
                        key = keySerde.Deserialize(record.Key, record.Key is null, ctx) ?? [];
                        value = valueSerde.Deserialize(record.Value, record.Value is null, ctx with { Component = Streams.SerDes.MessageComponentType.Value });
                    }
                    catch (Formats.SqlSerdeException)
                    {
                        continue;
                    }

                    if (value is null)
                    {
                        continue;
                    }

                    var input = InputRow(layout, key, value, record.TimestampMs, record.Partition, record.Offset, record.Headers);
                    if (where is null || where(input))
                    {
                        rows.Add(new QueryRow(projection.Evaluate(input)));
                    }
                }

                foreach (var tp in tps.Where(tp => !done.Contains(tp) && consumer.Position(tp) >= ends[tp]))
                {
                    done.Add(tp);
                }
            }
        }

        return new PullQueryHandle("query_" + Guid.NewGuid().ToString("N")[..12], columns, rows);
    }

    /// <summary>
    /// The keys a WHERE clause pins the key column to, or null when it does not (then the store is scanned).
    /// Only literals whose value converts exactly to the key's type qualify; the full WHERE still runs on
    /// every row found, so this only narrows what is read.
    /// </summary>
    private static List<object?[]>? KeyLookups(Ast.SqlExpression where, Column key)
    {
        switch (where)
        {
            case Ast.LogicalBinary { Operator: Ast.LogicalOperator.And } and:
                return KeyLookups(and.Left, key) ?? KeyLookups(and.Right, key);
            case Ast.Comparison { Operator: Ast.ComparisonOperator.Equal } eq:
            {
                var literal = IsKeyRef(eq.Left, key) ? eq.Right as Ast.Literal : IsKeyRef(eq.Right, key) ? eq.Left as Ast.Literal : null;
                return literal is not null && KeyValue(literal, key.Type) is { } value ? [[value]] : null;
            }

            case Ast.InList { Negated: false } inList when IsKeyRef(inList.Value, key):
            {
                var keys = new List<object?[]>();
                var seen = new HashSet<object>(SqlValues.Comparer);
                foreach (var item in inList.Items)
                {
                    if (item is not Ast.Literal literal || KeyValue(literal, key.Type) is not { } value)
                    {
                        return null;
                    }

                    if (seen.Add(value))
                    {
                        keys.Add([value]);
                    }
                }

                return keys;
            }

            default:
                return null;
        }
    }

    /// <summary>The position of each key listed in the first <c>key IN (...)</c> of the ANDed WHERE, or null when there is none.</summary>
    private static Dictionary<object, int>? InListOrder(Ast.SqlExpression where, Column key)
    {
        switch (where)
        {
            case Ast.LogicalBinary { Operator: Ast.LogicalOperator.And } and:
                return InListOrder(and.Left, key) ?? InListOrder(and.Right, key);
            case Ast.InList { Negated: false } inList when IsKeyRef(inList.Value, key):
            {
                var order = new Dictionary<object, int>(SqlValues.Comparer);
                foreach (var item in inList.Items)
                {
                    if (item is Ast.Literal literal && KeyValue(literal, key.Type) is { } value)
                    {
                        order.TryAdd(value, order.Count);
                    }
                }

                return order;
            }

            default:
                return null;
        }
    }

    /// <summary>
    /// A string literal compared with a numeric or boolean key (<c>ID IN ('10', 8)</c>) is an error, as in
    /// ksqlDB, rather than a key that silently matches nothing.
    /// </summary>
    private static void CheckKeyLiterals(Ast.SqlExpression where, Column key)
    {
        if (where is Ast.LogicalBinary { Operator: Ast.LogicalOperator.And } and)
        {
            CheckKeyLiterals(and.Left, key);
            CheckKeyLiterals(and.Right, key);
            return;
        }

        IEnumerable<Ast.SqlExpression> compared = where switch
        {
            Ast.Comparison { Operator: Ast.ComparisonOperator.Equal } eq when IsKeyRef(eq.Left, key) => [eq.Right],
            Ast.Comparison { Operator: Ast.ComparisonOperator.Equal } eq when IsKeyRef(eq.Right, key) => [eq.Left],
            Ast.InList { Negated: false } inList when IsKeyRef(inList.Value, key) => inList.Items,
            _ => [],
        };
        if (key.Type.BaseType is SqlBaseType.Integer or SqlBaseType.BigInt or SqlBaseType.Double or SqlBaseType.Decimal or SqlBaseType.Boolean
            && compared.OfType<Ast.StringLiteral>().FirstOrDefault() is { } text)
        {
            throw new SqlException($"'{text.Value}' can not be converted to the type of the key column: {key.Name} {key.Type} KEY");
        }
    }

    private static bool IsKeyRef(Ast.SqlExpression e, Column key) => e is Ast.ColumnRef c && string.Equals(c.Name, key.Name, StringComparison.Ordinal);

    private static object? KeyValue(Ast.Literal literal, SqlType type) => (type.BaseType, literal) switch
    {
        (SqlBaseType.String, Ast.StringLiteral s) => s.Value,
        (SqlBaseType.Integer, Ast.IntegerLiteral i) => i.Value,
        (SqlBaseType.BigInt, Ast.IntegerLiteral i) => (long)i.Value,
        (SqlBaseType.BigInt, Ast.BigIntLiteral l) => l.Value,
        (SqlBaseType.Double, Ast.DoubleLiteral d) => d.Value,
        (SqlBaseType.Double, Ast.IntegerLiteral i) => (double)i.Value,
        (SqlBaseType.Double, Ast.BigIntLiteral l) => (double)l.Value,
        (SqlBaseType.Double, Ast.DecimalLiteral m) => m.Value.ToDouble(),
        (SqlBaseType.Boolean, Ast.BooleanLiteral b) => b.Value,
        _ => null,
    };

    /// <summary>The row a pull query's expressions read: the table's columns in schema order, then ROWTIME, ROWPARTITION, ROWOFFSET (and WINDOWSTART, WINDOWEND).</summary>
    private static object?[] InputRow(InputRowLayout layout, object?[] key, object?[] value, long timestamp, int partition = 0, long offset = 0, Client.Headers? headers = null)
    {
        var row = new object?[layout.Width];
        var slots = layout.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var (kind, index, header) = slots[i];
            row[i] = kind switch
            {
                ColumnKind.Key => index < key.Length ? key[index] : null,
                ColumnKind.Value => index < value.Length ? value[index] : null,
                _ => Header(layout, headers, header),
            };
        }

        var p = slots.Length;
        row[p] = timestamp;
        row[p + 1] = partition;
        row[p + 2] = offset;
        if (layout.Windowed && key.Length >= layout.KeyCount + 2)
        {
            row[p + 3] = key[layout.KeyCount];
            row[p + 4] = key[layout.KeyCount + 1];
        }

        return row;
    }

    /// <summary>The result columns, key columns flagged as ksqlDB's pull header does.</summary>
    private static List<QueryColumn> Columns(AnalyzedQuery query)
    {
        var source = query.Sources[0].Source;
        bool IsKey(Ast.SqlExpression e) => e is Ast.ColumnRef c
            && (source.Schema.Key.Any(k => k.Name == c.Name) || (source.Window is not null && c.Name is "WINDOWSTART" or "WINDOWEND"));
        return [.. query.Projection.Select(p => new QueryColumn(p.Name, p.Type) { IsKey = IsKey(p.Expression) })];
    }

    private static object? Header(InputRowLayout layout, Client.Headers? headers, string? key)
    {
        if (key is not null)
        {
            return headers?.GetLastValue(key);
        }

        if (layout.HeadersType?.ElementType is not SqlStructType entry)
        {
            return null;
        }

        return headers?.Select(h => (object?)new SqlStruct(entry, [h.Key, h.Value])).ToList() ?? [];
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
