using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;
using Eddy.Streams;
using Eddy.Streams.Dsl;
using Eddy.Streams.Processors;
using Eddy.Streams.SerDes;
using Eddy.Streams.State;
using Row = object?[];

namespace Eddy.Sql.Internal.Planning;

/// <summary>A stream or a table of (key row, value row) in the middle of a plan.</summary>
internal sealed class Flow
{
    public IKStream<Row, Row>? Stream { get; init; }

    public IKTable<Row, Row>? Table { get; init; }

    public bool IsTable => Table is not null;
}

/// <summary>Builds one persistent query's topology through the Eddy.Streams DSL.</summary>
internal sealed class QueryBuilder
{
    private readonly AnalyzedQuery _q;
    private readonly ExpressionCompiler _compiler;
    private readonly FunctionRegistry _functions;
    private readonly string _queryId;
    private readonly StreamsBuilder _builder = new();
    private readonly List<string> _steps = [];
    private readonly List<string> _topics = [];
    private readonly int[] _offsets;

    public QueryBuilder(AnalyzedQuery query, FunctionRegistry functions, string queryId)
    {
        _q = query;
        _functions = functions;
        _compiler = new ExpressionCompiler(functions);
        _queryId = queryId;
        _offsets = new int[query.Sources.Count + 1];
        for (var i = 0; i < query.Sources.Count; i++)
        {
            _offsets[i + 1] = _offsets[i] + SourceWidth(query.Sources[i].Source);
        }
    }

    public IReadOnlyList<string> Steps => _steps;

    /// <summary>The engine's hook for push queries: receives the result stream instead of the topic sink.</summary>
    public Action<IKStream<Row, Row>>? TransientSink { get; init; }

    /// <summary>The engine's hook for pull queries: a table result is also materialized in this store (result key row to value row).</summary>
    public string? ResultStoreName { get; init; }

    public IReadOnlyList<string> SourceTopics => _topics;

    private static int SourceWidth(DataSource s) => s.Schema.Columns.Count + 3 + (s.Window is null ? 0 : 2);

    private SqlType[] InputTypes(int from, int to) => _q.InputColumns.Skip(from).Take(to - from).Select(c => c.Type).ToArray();

    public Topology Build()
    {
        var flow = _q.Joins.Count == 0 ? Source(0, materialize: false) : Joins();
        if (_q.InputColumns.Count > _offsets[^1])
        {
            // The synthetic ROWKEY of a join: the join key.
            flow = new Flow
            {
                Stream = flow.Stream?.MapValues((k, v) => AppendKey(k, v), Named.As("Join-RowKey")),
                Table = flow.Table?.MapValues((k, v) => AppendKey(k, v), Named.As("Join-RowKey")),
            };
        }

        if (_q.Where is { } where)
        {
            var predicate = _compiler.CompilePredicate(where, _q.InputScope, "WHERE").Delegate;
            flow = new Flow
            {
                Stream = flow.Stream?.Filter((_, v) => predicate(v), Named.As("WhereFilter")),
                Table = flow.Table?.Filter((_, v) => predicate(v), Named.As("WhereFilter")),
            };
            _steps.Add($"Filter: WHERE {where}");
        }

        var output = _q.IsAggregation ? Aggregate(flow) : Project(flow);
        Sink(output);
        return _builder.Build();
    }

    private static Row AppendKey(Row key, Row value)
    {
        if (value is null)
        {
            return null!;
        }

        var row = new object?[value.Length + 1];
        value.CopyTo(row, 0);
        row[^1] = key.Length > 0 ? key[0] : null;
        return row;
    }

    // ---------------------------------------------------------------- sources

    private Flow Source(int index, bool materialize)
    {
        var s = _q.Sources[index].Source;
        _topics.Add(s.Topic);
        var keySerde = RowSerde.Key(s);
        var valueSerde = RowSerde.Value(s);
        var consumed = Consumed.With(keySerde, valueSerde).WithName($"KsqlTopic-{_q.Sources[index].Alias}-Source");
        if (s.TimestampColumn is { } tsColumn)
        {
            consumed = consumed.WithTimestampExtractor(new ColumnTimestampExtractor(s, tsColumn));
        }

        var stream = _builder.Stream(s.Topic, consumed);
        var layout = new InputRowLayout(s);
        var rows = stream.ProcessValues(() => new InputRowProcessor(layout, keepNulls: s.IsTable));
        _steps.Add($"Source: {s.Name} ({(s.IsTable ? "table" : "stream")}, topic {s.Topic}, key {s.KeyFormat}, value {s.ValueFormat})");
        if (!s.IsTable)
        {
            return new Flow { Stream = _q.IsAggregation || _q.Joins.Count > 0 ? rows.Filter((_, v) => !TombstoneRows.IsTombstone(v), Named.As($"{_q.Sources[index].Alias}-NotNull")) : rows };
        }

        var storeName = _q.Joins.Count == 0 && !materialize ? "KsqlTopic-Reduce" : $"KafkaTopic_{Side(index)}-Reduce";
        var table = rows.ToTable(Named.As($"{_q.Sources[index].Alias}-ToTable"), Materialized<Row, Row>.As(storeName)
            .WithKeySerde(keySerde).WithValueSerde(RowSerde.Internal(InputTypes(_offsets[index], _offsets[index + 1]))));
        return new Flow { Table = table };
    }

    private static string Side(int index) => index == 0 ? "Left" : index == 1 ? "Right" : $"Right{index}";

    // ---------------------------------------------------------------- projection (no aggregation)

    private Flow Project(Flow flow)
    {
        var scope = _q.InputScope;
        var width = _q.InputColumns.Count;
        if (_q.TableFunctions.Count > 0 && flow.Stream is { } stream)
        {
            var ext = new ExtendedScope(scope);
            var tfs = new List<CompiledExpression>();
            for (var i = 0; i < _q.TableFunctions.Count; i++)
            {
                var tf = _compiler.CompileTableFunction(_q.TableFunctions[i], scope, "SELECT");
                tfs.Add(tf);
                ext.Map(_q.TableFunctions[i], width + i, tf.Type);
            }

            var fns = tfs.Select(t => t.Delegate).ToArray();
            flow = new Flow { Stream = stream.FlatMapValues(v => Explode(v, fns), Named.As("FlatMap")) };
            scope = ext;
            _steps.Add($"FlatMap: {string.Join(", ", _q.TableFunctions)}");
        }

        var keyItems = KeyItems();
        var valueItems = _q.Projection.Where(p => !p.IsKey).ToList();
        var valueProjection = _compiler.CompileProjection(valueItems.Select(p => p.Expression).ToList(), scope, "SELECT");
        _steps.Add($"Project: {string.Join(", ", _q.Projection.Select(p => $"{p.Expression} AS {p.Name}{(p.IsKey ? " KEY" : string.Empty)}"))}");
        if (flow.Table is { } table)
        {
            var projected = table.MapValues(v => valueProjection.Evaluate(v), Named.As("Project"));
            return new Flow { Table = projected };
        }

        var window = _q.ResultWindow is not null && _q.Sources[0].Source.Window is not null;
        var keyExprs = keyItems.Select(p => p.Expression).ToList();
        Func<Row, Row> keyOf;
        if (_q.PartitionBy is not null || _q.Joins.Count > 0 || _q.TableFunctions.Count > 0 || window || keyItems.Count > 0)
        {
            var keyProjection = _compiler.CompileProjection(keyExprs, scope, "SELECT");
            var ws = window ? _q.InputColumns.ToList().FindIndex(c => c.Name == "WINDOWSTART" && c.Kind == InputColumnKind.Pseudo) : -1;
            keyOf = v =>
            {
                var k = new object?[keyExprs.Count + (window ? 2 : 0)];
                keyProjection.Delegate(v, k);
                if (window)
                {
                    k[^2] = v[ws];
                    k[^1] = v[ws + 1];
                }

                return k;
            };
        }
        else
        {
            keyOf = _ => [];
        }

        if (_q.PartitionBy is not null)
        {
            _steps.Add($"PartitionBy: {string.Join(", ", _q.PartitionBy)}");
        }

        // In a join the key column is the join key itself (for a RIGHT or FULL join the projected side may be null).
        var joinKey = _q.Joins.Count > 0 && _q.PartitionBy is null && keyItems.Count == 1;
        var result = flow.Stream!.Map((k, v) => new KeyValue<Row, Row>(joinKey ? k : keyOf(v), TombstoneRows.IsTombstone(v) ? null! : valueProjection.Evaluate(v)), Named.As("Project"));
        return new Flow { Stream = result };
    }

    private List<OutputColumn> KeyItems()
    {
        var keys = new List<OutputColumn>();
        foreach (var k in _q.Schema.Key)
        {
            var item = _q.Projection.FirstOrDefault(p => p.IsKey && p.Name == k.Name);
            if (item is not null)
            {
                keys.Add(item);
            }
        }

        return keys;
    }

    private static IEnumerable<Row> Explode(Row v, Func<Row, object?>[] fns)
    {
        var lists = new IReadOnlyList<object?>?[fns.Length];
        var max = 0;
        for (var i = 0; i < fns.Length; i++)
        {
            lists[i] = fns[i](v) as IReadOnlyList<object?>;
            max = Math.Max(max, lists[i]?.Count ?? 0);
        }

        for (var r = 0; r < max; r++)
        {
            var row = new object?[v.Length + fns.Length];
            v.CopyTo(row, 0);
            for (var i = 0; i < fns.Length; i++)
            {
                row[v.Length + i] = lists[i] is { } l && r < l.Count ? l[r] : null;
            }

            yield return row;
        }
    }

    // ---------------------------------------------------------------- aggregation

    private Flow Aggregate(Flow flow)
    {
        var groupBy = _q.GroupBy!;
        var aggregates = _q.Aggregates;
        var prepared = new List<SqlExpression>(groupBy);
        var argStart = new int[aggregates.Count];
        foreach (var (a, i) in aggregates.Select((a, i) => (a, i)))
        {
            argStart[i] = prepared.Count;
            prepared.AddRange(a.Arguments);
        }

        var prepare = _compiler.CompileProjection(prepared, _q.InputScope, "GROUP BY");
        var preparedSerde = RowSerde.Internal(prepare.Types);
        var groupCount = groupBy.Count;
        var keyTypes = prepare.Types.Take(groupCount).ToArray();
        var keySerde = RowSerde.Internal(keyTypes);
        var functions = aggregates.Select(a => a.Function).ToArray();
        var argCounts = aggregates.Select(a => a.Arguments.Count).ToArray();
        var aggSerde = RowSerde.Internal(functions.Select(f => f.AggregateType));
        _steps.Add($"Aggregate: GROUP BY {string.Join(", ", groupBy)}; {string.Join(", ", aggregates.Select(a => a.Call))}{(_q.Window is { } w0 ? $"; WINDOW {w0.Type.ToString().ToUpperInvariant()}" : string.Empty)}");

        Row Init()
        {
            var acc = new object?[functions.Length];
            for (var i = 0; i < functions.Length; i++)
            {
                acc[i] = functions[i].Initialize();
            }

            return acc;
        }

        Row Add(Row v, Row acc)
        {
            var next = (Row)acc.Clone();
            for (var i = 0; i < functions.Length; i++)
            {
                next[i] = functions[i].Aggregate(next[i], new ReadOnlySpan<object?>(v, argStart[i], argCounts[i]));
            }

            return next;
        }

        Row Undo(Row v, Row acc)
        {
            var next = (Row)acc.Clone();
            for (var i = 0; i < functions.Length; i++)
            {
                next[i] = functions[i].Undo(next[i], new ReadOnlySpan<object?>(v, argStart[i], argCounts[i]));
            }

            return next;
        }

        Row Merge(Row a, Row b)
        {
            var next = new object?[functions.Length];
            for (var i = 0; i < functions.Length; i++)
            {
                next[i] = functions[i].Merge(a[i], b[i]);
            }

            return next;
        }

        static Row? KeyOf(Row prepared, int count)
        {
            var k = new object?[count];
            for (var i = 0; i < count; i++)
            {
                if (prepared[i] is null)
                {
                    return null;
                }

                k[i] = prepared[i];
            }

            return k;
        }

        var storeName = "Aggregate-Aggregate-Materialize";
        var grouped = Grouped<Row, Row>.As("Aggregate-GroupBy").WithKeySerde(keySerde).WithValueSerde(preparedSerde);
        if (flow.Table is { } table)
        {
            // The subtract (old row) and add (new row) of an update travel in one record when the group key is
            // unchanged (KIP-904); keys are compared by reference, so an equal key reuses the previous instance.
            var lastKey = new ThreadLocal<Row?>();
            var groupedTable = table.GroupBy((_, v) =>
            {
                var prepared = prepare.Evaluate(v);
                var key = KeyOf(prepared, groupCount);
                if (key is not null && lastKey.Value is { } last && SameKey(last, key))
                {
                    key = last;
                }

                lastKey.Value = key;
                return new KeyValue<Row, Row>(key!, prepared);
            }, grouped);
            var result = groupedTable.Aggregate(Init, (_, v, acc) => Add(v, acc), (_, v, acc) => Undo(v, acc),
                Materialized<Row, Row>.As(storeName).WithKeySerde(keySerde).WithValueSerde(aggSerde));
            return Finish(result.MapValues((k, acc) => AggregateRow(k, acc, functions, null), Named.As("Aggregate-Project")), keyTypes);
        }

        var preparedStream = flow.Stream!.MapValues(v => prepare.Evaluate(v), Named.As("Aggregate-Prepare"));
        var groupedStream = IsGroupByKey()
            ? preparedStream.GroupByKey(grouped)
            : preparedStream.GroupBy((_, v) => KeyOf(v, groupCount)!, grouped);

        if (_q.Window is not { } window)
        {
            var result = groupedStream.Aggregate(Init, (_, v, acc) => Add(v, acc), Materialized<Row, Row>.As(storeName).WithKeySerde(keySerde).WithValueSerde(aggSerde));
            return Finish(result.MapValues((k, acc) => AggregateRow(k, acc, functions, null), Named.As("Aggregate-Project")), keyTypes);
        }

        var size = window.Size.Milliseconds;
        var grace = window.Grace?.Milliseconds;
        var materialized = Materialized<Row, Row>.As(storeName).WithKeySerde(keySerde).WithValueSerde(aggSerde);
        IKTable<Windowed<Row>, Row> windowed;
        if (window.Type == WindowType.Session)
        {
            var sessions = SessionWindows.OfInactivityGapAndGrace(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(grace ?? DefaultGrace(size)));
            if (window.Retention is { } r)
            {
                materialized = materialized.WithRetention(TimeSpan.FromMilliseconds(r.Milliseconds));
            }

            windowed = groupedStream.WindowedBy(sessions).Aggregate(Init, (_, v, acc) => Add(v, acc), (_, a, b) => Merge(a, b), materialized);
        }
        else
        {
            var windows = TimeWindows.OfSizeAndGrace(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(grace ?? DefaultGrace(size)));
            if (window.Type == WindowType.Hopping && window.Advance is { } advance)
            {
                windows = windows.AdvanceBy(TimeSpan.FromMilliseconds(advance.Milliseconds));
            }

            if (window.Retention is { } r)
            {
                materialized = materialized.WithRetention(TimeSpan.FromMilliseconds(r.Milliseconds));
            }

            windowed = groupedStream.WindowedBy(windows).Aggregate(Init, (_, v, acc) => Add(v, acc), materialized);
        }

        if (_q.Query.Emit == EmitKind.Final)
        {
            windowed = windowed.Suppress(Suppressed<Windowed<Row>>.UntilWindowCloses(BufferConfig.Unbounded()).WithName("Suppress"));
            _steps.Add("Suppress: EMIT FINAL (until the window closes)");
        }

        var rows = windowed.MapValues((k, acc) => AggregateRow(k.Key, acc, functions, k.Window), Named.As("Aggregate-Project"));
        var flat = rows.ToStream().Map((k, v) => new KeyValue<Row, Row>(WindowKey(k), v), Named.As("Aggregate-WindowKey"));
        return Finish(new Flow { Stream = flat }, [.. keyTypes, SqlTypes.BigInt, SqlTypes.BigInt]);
    }

    private static bool SameKey(Row a, Row b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!SqlValues.ValueEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Kafka Streams' legacy default grace (24 hours less the window size), which ksqlDB uses when GRACE PERIOD is absent.</summary>
    private static long DefaultGrace(long size) => Math.Max(0, (24 * 3600 * 1000L) - size);

    private static Row WindowKey(Windowed<Row> k)
    {
        var row = new object?[k.Key.Length + 2];
        k.Key.CopyTo(row, 0);
        row[^2] = k.Window.Start;
        row[^1] = k.Window.End;
        return row;
    }

    private bool IsGroupByKey()
    {
        if (_q.Joins.Count > 0 || _q.Sources[0].Source.Window is not null)
        {
            return false;
        }

        var keys = _q.Sources[0].Source.Schema.Key;
        var groupBy = _q.GroupBy!;
        return keys.Count > 0 && keys.Count == groupBy.Count
            && keys.Select((k, i) => groupBy[i] is ColumnRef c && c.Name == k.Name).All(x => x);
    }

    private Row AggregateRow(Row key, Row acc, AggregateFunction[] functions, Window? window)
    {
        if (acc is null)
        {
            return null!;
        }

        var columns = _q.AggregateColumns!;
        var row = new object?[columns.Count];
        var n = Math.Min(key.Length, _q.GroupBy!.Count);
        Array.Copy(key, row, n);
        for (var i = 0; i < functions.Length; i++)
        {
            row[_q.GroupBy.Count + i] = functions[i].Map(acc[i]);
        }

        if (window is not null && columns.Count >= _q.GroupBy.Count + functions.Length + 2)
        {
            row[^2] = window.Start;
            row[^1] = window.End;
        }

        return row;
    }

    private Flow Finish(IKTable<Row, Row> table, SqlType[] keyTypes) => Finish(new Flow { Table = table }, keyTypes);

    private Flow Finish(Flow flow, SqlType[] keyTypes)
    {
        var scope = _q.AggregateScope!;
        Func<Row, bool>? having = null;
        if (_q.Having is { } h)
        {
            having = _compiler.CompilePredicate(h, scope, "HAVING").Delegate;
            _steps.Add($"Filter: HAVING {h}");
        }

        var valueItems = _q.Projection.Where(p => !p.IsKey).ToList();
        var projection = _compiler.CompileProjection(valueItems.Select(p => p.Expression).ToList(), scope, "SELECT");
        _steps.Add($"Project: {string.Join(", ", _q.Projection.Select(p => $"{p.Expression} AS {p.Name}{(p.IsKey ? " KEY" : string.Empty)}"))}");
        if (having is null && flow.Table is { } table)
        {
            return new Flow { Table = table.MapValues(v => projection.Evaluate(v), Named.As("Aggregate-Select")) };
        }

        var stream = flow.Stream ?? flow.Table!.ToStream(Named.As("Aggregate-ToStream"));
        if (having is not null)
        {
            // HAVING as ksqlDB's table filter with old values: a row failing it becomes a tombstone only
            // when the key's previous row passed; otherwise nothing is emitted.
            stream = stream.MapValues(v => v is not null && having(v) ? v : null!, Named.As("Aggregate-HavingFilter"));
            var storeName = "Aggregate-HavingFilter-Keys";
            _builder.AddStateStore(Stores.KeyValueStoreBuilder(Stores.InMemoryKeyValueStore(storeName), RowSerde.Internal(keyTypes), Serdes.ByteArray()));
            stream = stream.ProcessValues(() => new HavingProcessor(storeName), storeName);
        }

        return new Flow { Stream = stream.MapValues(v => v is null ? null! : projection.Evaluate(v), Named.As("Aggregate-Select")) };
    }

    // ---------------------------------------------------------------- joins

    private Flow Joins()
    {
        var left = Source(0, materialize: true);
        var leftWidth = _offsets[1];
        for (var j = 0; j < _q.Joins.Count; j++)
        {
            var join = _q.Joins[j];
            var right = Source(j + 1, materialize: true);
            var rightWidth = SourceWidth(join.Right.Source);
            var rightOffset = _offsets[j + 1];
            left = Join(left, leftWidth, right, rightWidth, rightOffset, join, j);
            leftWidth += rightWidth;
        }

        return left;
    }

    private Flow Join(Flow left, int leftWidth, Flow right, int rightWidth, int rightOffset, AnalyzedJoin join, int index)
    {
        var leftTypes = InputTypes(0, leftWidth);
        var rightTypes = InputTypes(rightOffset, rightOffset + rightWidth);
        var leftScope = new PrefixScope(_q.InputScope, leftWidth);
        var rightScope = new ShiftScope(_q.InputScope, rightOffset, rightWidth);
        var leftKey = _compiler.Compile(join.LeftExpression, leftScope, "JOIN ON").Delegate;
        var rightKey = _compiler.Compile(join.RightExpression, rightScope, "JOIN ON").Delegate;
        var keyType = _compiler.TypeOf(join.LeftExpression, leftScope) ?? SqlTypes.String;
        var keySerde = RowSerde.Internal([keyType]);
        var leftSerde = RowSerde.Internal(leftTypes);
        var rightSerde = RowSerde.Internal(rightTypes);
        var name = index == 0 ? "Join" : $"Join{index}";
        _steps.Add($"{join.Type}Join: {join.LeftExpression} = {join.RightExpression}{(join.Within is { } w ? $" WITHIN {w.Before.Milliseconds} ms" : string.Empty)}{(join.IsForeignKey ? " (foreign key)" : string.Empty)}");

        Row Combine(Row? l, Row? r)
        {
            var row = new object?[leftWidth + rightWidth];
            if (l is not null)
            {
                Array.Copy(l, row, Math.Min(l.Length, leftWidth));
            }

            if (r is not null)
            {
                Array.Copy(r, 0, row, leftWidth, Math.Min(r.Length, rightWidth));
            }

            return row;
        }

        if (left.Table is { } lt && right.Table is { } rt)
        {
            if (join.IsForeignKey)
            {
                var fk = _compiler.Compile(join.LeftExpression, leftScope, "JOIN ON").Delegate;
                Func<Row, Row> extract = v => fk(v) is { } value ? [value] : null!;
                var materialized = Materialized<Row, Row>.As($"{name}-FK-Materialize").WithValueSerde(RowSerde.Internal(leftTypes.Concat(rightTypes)));
                var fkTable = join.Type == JoinType.Left
                    ? lt.LeftJoin(rt, extract, (Row l, Row? r) => Combine(l, r), TableJoined<Row, Row>.As(name), materialized)
                    : lt.Join(rt, extract, (Row l, Row r) => Combine(l, r), TableJoined<Row, Row>.As(name), materialized);
                return new Flow { Table = fkTable };
            }

            var joinedMaterialized = Materialized<Row, Row>.As($"{name}-Materialize").WithValueSerde(RowSerde.Internal(leftTypes.Concat(rightTypes)));
            IKTable<Row, Row> t = join.Type switch
            {
                JoinType.Left => lt.LeftJoin(rt, (Row l, Row? r) => Combine(l, r), Named.As(name), joinedMaterialized),
                JoinType.Right => rt.LeftJoin(lt, (Row r, Row? l) => Combine(l, r), Named.As(name), joinedMaterialized),
                JoinType.Outer => lt.OuterJoin(rt, (Row? l, Row? r) => Combine(l, r), Named.As(name), joinedMaterialized),
                _ => lt.Join(rt, (Row l, Row r) => Combine(l, r), Named.As(name), joinedMaterialized),
            };
            return new Flow { Table = t };
        }

        var ls = Rekey(left.Stream!, leftKey, keySerde, leftSerde, $"{name}Left", IsKeyExpression(join.LeftExpression, 0, leftWidth));
        if (right.Table is { } table)
        {
            IKStream<Row, Row> st = join.Type == JoinType.Left
                ? ls.LeftJoin(table, (Row l, Row? r) => Combine(l, r), Joined<Row, Row, Row>.With(keySerde, leftSerde, rightSerde) with { Name = name })
                : ls.Join(table, (Row l, Row r) => Combine(l, r), Joined<Row, Row, Row>.With(keySerde, leftSerde, rightSerde) with { Name = name });
            return new Flow { Stream = st };
        }

        var rs = Rekey(right.Stream!, rightKey, keySerde, rightSerde, $"{name}Right", IsKeyExpression(join.RightExpression, rightOffset, rightOffset + rightWidth));
        var within = join.Within!;
        // Without GRACE PERIOD ksqlDB uses Kafka's legacy JoinWindows.of: eager left/outer results, 24h grace.
        JoinWindows Windows(long before, long after) => (within.Grace is { } g
                ? JoinWindows.OfTimeDifferenceAndGrace(TimeSpan.FromMilliseconds(before), TimeSpan.FromMilliseconds(g.Milliseconds))
                : JoinWindows.Of(TimeSpan.FromMilliseconds(before)))
            .After(TimeSpan.FromMilliseconds(after));
        var windows = Windows(within.Before.Milliseconds, within.After.Milliseconds);
        var joined = StreamJoined<Row, Row, Row>.With(keySerde, leftSerde, rightSerde).WithName(name).WithStoreName($"KSTREAM-{name.ToUpperInvariant()}");
        IKStream<Row, Row> s = join.Type switch
        {
            JoinType.Left => ls.LeftJoin(rs, (Row l, Row? r) => Combine(l, r), windows, joined),
            JoinType.Right => rs.LeftJoin(ls, (Row r, Row? l) => Combine(l, r), Windows(within.After.Milliseconds, within.Before.Milliseconds), StreamJoined<Row, Row, Row>.With(keySerde, rightSerde, leftSerde).WithName(name).WithStoreName($"KSTREAM-{name.ToUpperInvariant()}")),
            JoinType.Outer => ls.OuterJoin(rs, (Row? l, Row? r) => Combine(l, r), windows, joined),
            _ => ls.Join(rs, (Row l, Row r) => Combine(l, r), windows, joined),
        };
        return new Flow { Stream = s };
    }

    /// <summary>True when the join expression is the source's single key column (no repartition needed).</summary>
    private bool IsKeyExpression(SqlExpression e, int from, int to)
    {
        if (e is not ColumnRef c || to - from != SourceWidthAt(from))
        {
            return false;
        }

        var columns = _q.InputColumns;
        var keys = columns.Skip(from).Take(to - from).Where(x => x.Kind == InputColumnKind.Key).ToList();
        return keys.Count == 1 && keys[0].Name == c.Name && (c.Source is null || c.Source == keys[0].Source);
    }

    private int SourceWidthAt(int offset)
    {
        for (var i = 0; i < _q.Sources.Count; i++)
        {
            if (_offsets[i] == offset)
            {
                return SourceWidth(_q.Sources[i].Source);
            }
        }

        return -1;
    }

    private static IKStream<Row, Row> Rekey(IKStream<Row, Row> stream, Func<Row, object?> key, Serde<Row> keySerde, RowSerde valueSerde, string name, bool isKey)
    {
        var keyed = stream.SelectKey((_, v) => key(v) is { } k ? new object?[] { k } : null!, Named.As($"{name}-SelectKey"));
        if (isKey)
        {
            return keyed;
        }

        return keyed.Repartition(Repartitioned<Row, Row>.With(keySerde, valueSerde).WithName($"{name}"));
    }

    // ---------------------------------------------------------------- sink

    private void Sink(Flow flow)
    {
        if (ResultStoreName is { } storeName && _q.ResultKind == SourceKind.Table)
        {
            var keyTypes = _q.Schema.Key.Select(c => c.Type).Concat(_q.ResultWindow is null ? [] : [SqlTypes.BigInt, SqlTypes.BigInt]);
            var materialized = Materialized<Row, Row>.As(storeName).WithKeySerde(RowSerde.Internal(keyTypes)).WithValueSerde(RowSerde.Internal(_q.Schema.Value.Select(c => c.Type)));
            flow = new Flow { Table = flow.Table?.MapValues(v => v, Named.As("Result-Materialize"), materialized) ?? flow.Stream!.ToTable(Named.As("Result-Materialize"), materialized) };
        }

        if (TransientSink is { } transient)
        {
            transient(flow.Stream ?? flow.Table!.ToStream(Named.As("ToStream")));
            return;
        }

        var sink = _q.Sink!;
        var keySerde = RowSerde.Key(sink);
        var valueSerde = RowSerde.Value(sink);
        var stream = flow.Stream ?? flow.Table!.ToStream(Named.As("ToStream"));
        if (sink.TimestampColumn is { } ts)
        {
            var extractor = new ColumnTimestampExtractor(sink, ts);
            stream = stream.ProcessValues(() => new SinkTimestampProcessor(extractor));
        }

        stream.To(sink.Topic, Produced.With<Row, Row>(keySerde, valueSerde).WithName("KsqlTopic-Sink"));
        _steps.Add($"Sink: {sink.Name} (topic {sink.Topic}, key {sink.KeyFormat}, value {sink.ValueFormat})");
        _ = _functions;
        _ = _queryId;
    }
}

/// <summary>Input rows of stream records whose value was null: they carry the key and metadata, and project to a null value.</summary>
internal static class TombstoneRows
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Row, object> Rows = [];
    private static readonly object Marker = new();

    private static volatile bool s_any;

    public static void Mark(Row row)
    {
        s_any = true;
        Rows.AddOrUpdate(row, Marker);
    }

    /// <summary>True for a marked row; free until the first tombstone is seen.</summary>
    public static bool IsTombstone(Row row) => s_any && row is not null && Rows.TryGetValue(row, out _);
}

/// <summary>A scope over the first <c>width</c> input columns (the left side of a join).</summary>
internal sealed class PrefixScope(IExpressionScope inner, int width) : IExpressionScope
{
    public IEnumerable<string> ColumnNames => inner.ColumnNames;

    public ColumnBinding? ResolveColumn(string? source, string name) =>
        inner.ResolveColumn(source, name) is { } b && b.Index < width ? b : null;
}

/// <summary>A scope over the input columns of one source (the right side of a join), indexes shifted to the source's row.</summary>
internal sealed class ShiftScope(IExpressionScope inner, int offset, int width) : IExpressionScope
{
    public IEnumerable<string> ColumnNames => inner.ColumnNames;

    public ColumnBinding? ResolveColumn(string? source, string name) =>
        inner.ResolveColumn(source, name) is { } b && b.Index >= offset && b.Index < offset + width ? new ColumnBinding(b.Index - offset, b.Type) : null;
}

/// <summary>The input scope plus table function results appended to the row.</summary>
internal sealed class ExtendedScope(IExpressionScope inner) : IExpressionScope
{
    private readonly Dictionary<SqlExpression, ColumnBinding> _expressions = [];

    public IEnumerable<string> ColumnNames => inner.ColumnNames;

    public void Map(SqlExpression e, int index, SqlType type) => _expressions[e] = new ColumnBinding(index, type);

    public ColumnBinding? ResolveColumn(string? source, string name) => inner.ResolveColumn(source, name);

    public ColumnBinding? ResolveExpression(SqlExpression expression) =>
        _expressions.TryGetValue(expression, out var b) ? b : inner.ResolveExpression(expression);
}

/// <summary>Where each input column of one source comes from.</summary>
internal sealed class InputRowLayout
{
    public InputRowLayout(DataSource source)
    {
        var cols = source.Schema.Columns;
        Width = cols.Count + 3 + (source.Window is null ? 0 : 2);
        Slots = new (ColumnKind Kind, int Index, string? Header)[cols.Count];
        int k = 0, v = 0;
        for (var i = 0; i < cols.Count; i++)
        {
            Slots[i] = cols[i].Kind switch
            {
                ColumnKind.Key => (ColumnKind.Key, k++, null),
                ColumnKind.Header => (ColumnKind.Header, -1, cols[i].HeaderKey),
                _ => (ColumnKind.Value, v++, null),
            };
        }

        KeyCount = k;
        Windowed = source.Window is not null;
        HeadersType = cols.FirstOrDefault(c => c.Kind == ColumnKind.Header && c.HeaderKey is null)?.Type as SqlArrayType;
    }

    public int Width { get; }

    public (ColumnKind Kind, int Index, string? Header)[] Slots { get; }

    public int KeyCount { get; }

    public bool Windowed { get; }

    public SqlArrayType? HeadersType { get; }
}

/// <summary>Turns (key row, value row) into the query's input row: columns in schema order, then ROWTIME, ROWPARTITION, ROWOFFSET (and WINDOWSTART, WINDOWEND).</summary>
internal sealed class InputRowProcessor(InputRowLayout layout, bool keepNulls) : IFixedKeyProcessor<Row, Row, Row>
{
    private IFixedKeyProcessorContext<Row, Row> _context = null!;

    public void Init(IFixedKeyProcessorContext<Row, Row> context) => _context = context;

    public void Process(FixedKeyRecord<Row, Row> record)
    {
        var value = record.Value;
        if (value is null && keepNulls)
        {
            _context.Forward(record.WithValue<Row>(null!));
            return;
        }

        var tombstone = value is null;
        value ??= [];

        var key = record.Key ?? [];
        var row = new object?[layout.Width];
        var slots = layout.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var (kind, index, header) = slots[i];
            row[i] = kind switch
            {
                ColumnKind.Key => index < key.Length ? key[index] : null,
                ColumnKind.Value => index < value.Length ? value[index] : null,
                _ => header is null ? AllHeaders(record.Headers) : record.Headers.LastValue(header),
            };
        }

        var p = slots.Length;
        row[p] = record.Timestamp;
        var meta = _context.RecordMetadata;
        row[p + 1] = meta?.Partition ?? 0;
        row[p + 2] = meta?.Offset ?? 0L;
        if (layout.Windowed && key.Length >= layout.KeyCount + 2)
        {
            row[p + 3] = key[layout.KeyCount];
            row[p + 4] = key[layout.KeyCount + 1];
        }

        if (tombstone)
        {
            TombstoneRows.Mark(row);
        }

        _context.Forward(record.WithValue(row));
    }

    private List<object?>? AllHeaders(Headers headers)
    {
        if (layout.HeadersType?.ElementType is not SqlStructType entry)
        {
            return null;
        }

        var list = new List<object?>();
        foreach (var h in headers)
        {
            list.Add(new SqlStruct(entry, [h.Key, h.Value]));
        }

        return list;
    }
}

/// <summary>Forwards rows that pass HAVING, and a tombstone for a key only when its previous row passed.</summary>
internal sealed class HavingProcessor(string storeName) : IFixedKeyProcessor<Row, Row, Row>
{
    private static readonly byte[] Present = [1];
    private IFixedKeyProcessorContext<Row, Row> _context = null!;
    private IKeyValueStore<Row, byte[]> _store = null!;

    public void Init(IFixedKeyProcessorContext<Row, Row> context)
    {
        _context = context;
        _store = context.GetStateStore<IKeyValueStore<Row, byte[]>>(storeName);
    }

    public void Process(FixedKeyRecord<Row, Row> record)
    {
        if (record.Value is not null)
        {
            _store.Put(record.Key, Present);
            _context.Forward(record);
        }
        else if (_store.Get(record.Key) is not null)
        {
            _store.Delete(record.Key);
            _context.Forward(record);
        }
    }
}

/// <summary>Sets the output record's timestamp from a column (WITH TIMESTAMP on CREATE ... AS SELECT).</summary>
internal sealed class SinkTimestampProcessor(ColumnTimestampExtractor extractor) : IFixedKeyProcessor<Row, Row, Row>
{
    private IFixedKeyProcessorContext<Row, Row> _context = null!;

    public void Init(IFixedKeyProcessorContext<Row, Row> context) => _context = context;

    public void Process(FixedKeyRecord<Row, Row> record)
    {
        if (record.Value is not null)
        {
            var ts = extractor.FromRow(record.Key, record.Value);
            if (ts < 0)
            {
                return;
            }

            record = record.WithTimestamp(ts);
        }

        _context.Forward(record);
    }
}

/// <summary>Reads the record time from a column (WITH TIMESTAMP=..., TIMESTAMP_FORMAT=...); null or unparsable values give -1 (the record is dropped).</summary>
internal sealed class ColumnTimestampExtractor : ITimestampExtractor
{
    private readonly bool _isKey;
    private readonly int _index;
    private readonly SqlType _type;
    private readonly string? _format;

    public ColumnTimestampExtractor(DataSource source, string column)
    {
        var key = source.Schema.Key.ToList().FindIndex(c => c.Name == column);
        _isKey = key >= 0;
        _index = _isKey ? key : source.Schema.Value.ToList().FindIndex(c => c.Name == column);
        _type = (_isKey ? source.Schema.Key[key] : source.Schema.Value[_index]).Type;
        _format = source.TimestampFormat;
    }

    public long Extract<TKey, TValue>(in ConsumeRecord<TKey, TValue> record, long partitionTime) =>
        record.Value is Row value ? FromRow(record.Key as Row, value) : -1;

    public long FromRow(Row? key, Row value)
    {
        var row = _isKey ? key : value;
        if (row is null || _index < 0 || _index >= row.Length)
        {
            return -1;
        }

        try
        {
            return TimestampValue.ToMillis(row[_index], _type, _format);
        }
        catch (Exception e) when (e is FormatException or SqlException or ArgumentException or OverflowException)
        {
            return -1;
        }
    }
}
