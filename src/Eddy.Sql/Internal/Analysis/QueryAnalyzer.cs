using Eddy.Sql.Analysis;
using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Formats;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Compiler;
using Eddy.Sql.Internal.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Analysis;

/// <summary>What a query feeds: nothing (transient), a new stream/table, or an existing stream.</summary>
internal sealed record SinkRequest(string Name, SourceKind? Kind, NodeList<Property> Properties, DataSource? Existing);

/// <summary>Checks one query against the catalog and works out its layout, keys and result schema.</summary>
internal sealed class QueryAnalyzer
{
    private const string KafkaFormat = "KAFKA";

    private readonly ISourceCatalog _catalog;
    private readonly FunctionRegistry _functions;
    private readonly ExpressionCompiler _compiler;
    private readonly AnalysisSettings _settings;
    private readonly Query _query;
    private readonly SinkRequest? _sink;
    private readonly AnalyzedQuery _result;

    private QueryScope _scope = null!;
    private readonly List<AnalyzedSource> _sources = [];
    private readonly List<AnalyzedJoin> _joins = [];
    private SqlType? _syntheticKeyType;

    public QueryAnalyzer(ISourceCatalog catalog, FunctionRegistry functions, AnalysisSettings settings, Query query, SinkRequest? sink)
    {
        _catalog = catalog;
        _functions = functions;
        _compiler = new ExpressionCompiler(functions);
        _settings = settings;
        _query = query;
        _sink = sink;
        _result = new AnalyzedQuery(query) { IsPull = sink is null && query.Emit is null };
    }

    private bool Persistent => _sink is not null;

    private bool IsJoin => _sources.Count > 1;

    public AnalyzedQuery Analyze()
    {
        ResolveSources();
        BuildScope();
        AnalyzeJoins();
        CheckPull();

        var where = _query.Where is null ? null : Normalize(_query.Where);
        if (where is not null)
        {
            CheckPredicate(where, _query.Where!, _scope, "WHERE");
        }

        _result.Where = where;
        var items = ExpandProjection();
        var tableFunctions = items.SelectMany(i => ExpressionTree.DescendantsAndSelf(i.Expression))
            .OfType<FunctionCall>().Where(f => _functions.IsTableFunction(f.Name)).Distinct().ToList();
        _result.TableFunctions = tableFunctions;
        if (tableFunctions.Count > 0 && _sources.Count == 1 && _sources[0].Source.IsTable)
        {
            throw new SqlException("Table source is not supported with table functions", tableFunctions[0].Location);
        }

        var having = _query.Having is null ? null : Normalize(_query.Having);
        var isAggregation = _query.GroupBy is not null
            || items.Any(i => ContainsAggregate(i.Expression))
            || (having is not null && ContainsAggregate(having));
        List<SqlType> types;
        if (isAggregation)
        {
            types = AnalyzeAggregation(items, having, tableFunctions);
        }
        else
        {
            if (_query.Window is not null)
            {
                throw new SqlException("WINDOW clause requires a GROUP BY clause.", _query.Window.Location);
            }

            if (having is not null)
            {
                throw new SqlException("HAVING clause requires a GROUP BY clause.", _query.Having!.Location);
            }

            types = items.Select(i => TypeOf(i.Expression, _scope, "SELECT")).ToList();
        }

        AnalyzePartitionBy();
        if (_query.Emit == EmitKind.Final && _query.Window is null)
        {
            throw new SqlException("EMIT FINAL is only supported for windowed aggregations.");
        }

        NameColumns(items);
        BuildOutput(items, types);
        if (_sink is not null)
        {
            BuildSink();
        }

        return _result;
    }

    // ---------------------------------------------------------------- sources and scope

    private void ResolveSources()
    {
        var relations = _query.From switch
        {
            AliasedRelation a => [a],
            JoinRelation j => new[] { j.Left }.Concat(j.Joins.Select(x => x.Right)).ToList(),
            _ => throw new SqlException("Unsupported FROM clause."),
        };

        foreach (var r in relations)
        {
            var source = _catalog.Find(r.Source) ?? throw new SqlException(MissingSource(r.Source), r.Location == default ? null : r.Location);
            if (_sources.Any(s => string.Equals(s.Alias, r.EffectiveName, StringComparison.Ordinal)))
            {
                throw relations.Count > 2
                    ? new SqlException($"N-way joins do not support multiple occurrences of the same source. Source: '{r.Source}'", r.Location)
                    : new SqlException($"Can not join '{r.Source}' to '{r.Source}': self joins need a different alias for each side.", r.Location);
            }

            if (relations.Count > 2 && _sources.Any(s => s.Source.Name == source.Name))
            {
                throw new SqlException($"N-way joins do not support multiple occurrences of the same source. Source: '{r.Source}'", r.Location);
            }

            _sources.Add(new AnalyzedSource(r.EffectiveName, source));
        }

        _result.Sources = _sources;
    }

    private string MissingSource(string name)
    {
        var message = $"{name} does not exist.";
        var match = _catalog.SourceNames.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return match is null ? message : message + $" Did you mean `{match}`? Quoted names are case-sensitive.";
    }

    private void BuildScope()
    {
        var columns = new List<InputColumn>();
        foreach (var s in _sources)
        {
            foreach (var c in s.Source.Schema.Columns)
            {
                var kind = c.Kind switch
                {
                    ColumnKind.Key => InputColumnKind.Key,
                    ColumnKind.Header => InputColumnKind.Header,
                    _ => InputColumnKind.Value,
                };
                columns.Add(new InputColumn(c.Name, c.Type, s.Alias, kind, c.HeaderKey));
            }

            columns.Add(new InputColumn("ROWTIME", SqlTypes.BigInt, s.Alias, InputColumnKind.Pseudo));
            columns.Add(new InputColumn("ROWPARTITION", SqlTypes.Integer, s.Alias, InputColumnKind.Pseudo));
            columns.Add(new InputColumn("ROWOFFSET", SqlTypes.BigInt, s.Alias, InputColumnKind.Pseudo));
            if (s.Source.Window is not null)
            {
                columns.Add(new InputColumn("WINDOWSTART", SqlTypes.BigInt, s.Alias, InputColumnKind.Pseudo));
                columns.Add(new InputColumn("WINDOWEND", SqlTypes.BigInt, s.Alias, InputColumnKind.Pseudo));
            }
        }

        SetScope(columns);
    }

    private void SetScope(List<InputColumn> columns)
    {
        _scope = new QueryScope(columns, _sources.Select(s => s.Alias).Concat(_sources.Select(s => s.Source.Name)).Distinct());
        _result.InputColumns = columns;
        _result.InputScope = _scope;
    }

    /// <summary>Qualifies column references in joins and unqualifies them for a single source, so equal expressions compare equal.</summary>
    private SqlExpression Normalize(SqlExpression e) => Normalize(e, []);

    private SqlExpression Normalize(SqlExpression e, HashSet<string> lambdaNames)
    {
        switch (e)
        {
            case ColumnRef c when c.Source is null && lambdaNames.Contains(c.Name):
                return c;
            case ColumnRef c:
                int? index;
                try
                {
                    index = _scope.Find(c.Source, c.Name);
                }
                catch (SqlException ex) when (ex.Location is null)
                {
                    throw new SqlException(ex.RawMessage, c.Location == default ? null : c.Location);
                }

                if (index is null)
                {
                    return c;
                }

                var col = _scope.Column(index.Value);
                var source = IsJoin && col.Kind != InputColumnKind.SyntheticJoinKey ? col.Source : null;
                return c with { Source = source, Name = col.Name };
            case LambdaFunction l:
                var inner = new HashSet<string>(lambdaNames, StringComparer.Ordinal);
                inner.UnionWith(l.Parameters);
                return l with { Body = Normalize(l.Body, inner) };
            default:
                return ExpressionTree.MapChildren(e, x => Normalize(x, lambdaNames));
        }
    }

    /// <summary>Every column reference qualified with its source, as ksqlDB prints expressions in some messages.</summary>
    private SqlExpression Qualify(SqlExpression e) => e switch
    {
        ColumnRef { Source: null } c when _scope.Find(null, c.Name) is { } i && _scope.Column(i).Source is { } s => c with { Source = s },
        ColumnRef => e,
        _ => ExpressionTree.MapChildren(e, Qualify),
    };

    private SqlType TypeOf(SqlExpression e, IExpressionScope scope, string clause)
    {
        SqlType? type;
        try
        {
            type = _compiler.TypeOf(e, scope, clause);
        }
        catch (CodeGenException ex) when (clause == "SELECT")
        {
            throw new SqlException("Invalid Select: " + ex.RawMessage, ex.Location);
        }

        return type ?? throw new SqlException(
            "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).",
            e.Location == default ? null : e.Location);
    }

    private void CheckPredicate(SqlExpression normalized, SqlExpression original, IExpressionScope scope, string clause)
    {
        SqlType? type;
        try
        {
            type = _compiler.TypeOf(normalized, scope, clause);
        }
        catch (SqlException e) when (!e.RawMessage.Contains("cannot be resolved", StringComparison.Ordinal)
            && !e.RawMessage.Contains("is ambiguous", StringComparison.Ordinal)
            && !e.RawMessage.Contains("not a valid stream/table", StringComparison.Ordinal))
        {
            throw new SqlException($"Error in {clause} expression: {e.RawMessage}", e.Location);
        }

        if (type is not null && type.BaseType != SqlBaseType.Boolean)
        {
            throw new SqlException(
                $"Type error in {clause} expression: Should evaluate to boolean but is {original} ({type}) instead.",
                original.Location == default ? null : original.Location);
        }
    }

    // ---------------------------------------------------------------- joins

    private void AnalyzeJoins()
    {
        if (_query.From is not JoinRelation join)
        {
            return;
        }

        var kafka = _sources.Where(s => s.Source.ValueFormat.Format == KafkaFormat).Select(s => s.Source.Name).ToList();
        if (kafka.Count > 0)
        {
            throw new SqlException($"Source(s) {string.Join(", ", kafka)} are using the 'KAFKA' value format. This format does not yet support JOIN.");
        }

        // ksqlDB checks every join condition's shape before it looks at keys and join order.
        var conditions = join.Joins.Select((js, i) => SplitCondition(js, _sources[i + 1].Alias)).ToList();
        var leftIsTable = _sources[0].Source.IsTable;
        for (var i = 0; i < join.Joins.Count; i++)
        {
            var js = join.Joins[i];
            var right = _sources[i + 1];
            var (leftExpr, rightExpr, leftAlias) = conditions[i];
            var rightIsTable = right.Source.IsTable;
            var leftName = _sources.First(s => s.Alias == leftAlias).Source.Name;
            CheckWindowing(_sources[i], right, js);

            if (!leftIsTable && !rightIsTable)
            {
                if (js.Within is null)
                {
                    throw new SqlException(
                        "Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn about how to specify a WITHIN clause with a stream-stream join, please visit: https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select",
                        js.Location);
                }
            }
            else if (js.Within is not null)
            {
                var what = leftIsTable ? "Table-Table" : "Stream-Table";
                throw new SqlException(
                    $"A window definition was provided for a {what} join. These joins are not windowed. Please drop the window definition (ie. the WITHIN clause) and try to submit your query again.",
                    js.Within.Location);
            }

            if (leftIsTable && !rightIsTable)
            {
                throw new SqlException($"Invalid join order: table-stream joins are not supported; only stream-table joins. Got {leftName} {JoinWord(js.Type)} {right.Source.Name}.", js.Location);
            }

            var isForeignKey = false;
            if (rightIsTable)
            {
                var rightIsKey = IsKeyOf(rightExpr, right);
                if (!leftIsTable && !rightIsKey)
                {
                    throw new SqlException($"Invalid join condition: stream-table joins require to join on the table's primary key. Got {Qualify(leftExpr)} = {Qualify(rightExpr)}.", js.On.Location);
                }

                if (leftIsTable)
                {
                    if (!rightIsKey)
                    {
                        throw new SqlException($"Invalid join condition: table-table joins require to join on the primary key of the right input table. Got {Qualify(leftExpr)} = {Qualify(rightExpr)}.", js.On.Location);
                    }

                    isForeignKey = i == 0 && !IsKeyOf(leftExpr, _sources[0]);
                    if (isForeignKey && js.Type is JoinType.Right or JoinType.Outer)
                    {
                        throw new SqlException($"{(js.Type == JoinType.Right ? "RIGHT" : "FULL")} OUTER JOIN on a foreign key is not supported", js.Location);
                    }
                }

                if (!leftIsTable && js.Type is JoinType.Right or JoinType.Outer)
                {
                    throw new SqlException($"Invalid join type: {(js.Type == JoinType.Right ? "right" : "full-outer")} join not supported for stream-table join. Got {leftName} {JoinWord(js.Type)} {right.Source.Name}.", js.Location);
                }
            }

            _joins.Add(new AnalyzedJoin(js.Type, right, leftExpr, rightExpr, js.Within, isForeignKey));
            leftIsTable = leftIsTable && rightIsTable;
        }

        var last = _joins[^1];
        if (last.Type == JoinType.Outer || (last.LeftExpression is not ColumnRef && last.RightExpression is not ColumnRef))
        {
            var lt = TypeOf(last.LeftExpression, _scope, "JOIN ON");
            var rt = TypeOf(last.RightExpression, _scope, "JOIN ON");
            _syntheticKeyType = SqlTypes.CommonType(lt, rt) ?? lt;
            var columns = _result.InputColumns.ToList();
            columns.Add(new InputColumn("ROWKEY", _syntheticKeyType, null, InputColumnKind.SyntheticJoinKey));
            SetScope(columns);
        }

        _result.Joins = _joins;
    }

    private static string JoinWord(JoinType type) => type switch
    {
        JoinType.Left => "LEFT [OUTER] JOIN",
        JoinType.Right => "RIGHT [OUTER] JOIN",
        JoinType.Outer => "[FULL] OUTER JOIN",
        _ => "[INNER] JOIN",
    };

    private static void CheckWindowing(AnalyzedSource left, AnalyzedSource right, JoinedSource js)
    {
        static string Describe(AnalyzedSource s) =>
            s.Source.Window is null ? $"`{s.Source.Name}` is not windowed" : $"`{s.Source.Name}` is {s.Source.Window.Type.ToString().ToUpperInvariant()} windowed";

        if ((left.Source.Window is null) != (right.Source.Window is null))
        {
            throw new SqlException($"Can not join windowed source to non-windowed source.\n{Describe(left)}\n{Describe(right)}", js.Location);
        }
    }

    private static bool IsKeyOf(SqlExpression e, AnalyzedSource source) =>
        e is ColumnRef c && c.Source == source.Alias && source.Source.Schema.Key.Count == 1
        && source.Source.Schema.Key[0].Name == c.Name;

    private (SqlExpression Left, SqlExpression Right, string LeftAlias) SplitCondition(JoinedSource js, string rightAlias)
    {
        if (js.On is LogicalBinary)
        {
            throw new SqlException($"Invalid join condition: joins on multiple conditions are not yet supported. Got {js.On}.", js.On.Location);
        }

        if (js.On is not Comparison { Operator: ComparisonOperator.Equal } eq)
        {
            throw new SqlException($"Unsupported join expression: {js.On}. A join must be on one equality, e.g. ON l.id = r.id.", js.On.Location);
        }

        var left = Normalize(eq.Left);
        var right = Normalize(eq.Right);
        var leftSources = SourcesOf(left, js.On);
        var rightSources = SourcesOf(right, js.On);
        if (leftSources.Count != 1)
        {
            throw new SqlException($"Invalid comparison expression '{eq.Left}' in join '{js.On}'. Each side of the join comparision must contain references from exactly one source.", js.On.Location);
        }

        if (rightSources.Count != 1)
        {
            throw new SqlException($"Invalid comparison expression '{eq.Right}' in join '{js.On}'. Each side of the join comparision must contain references from exactly one source.", js.On.Location);
        }

        if (leftSources[0] == rightAlias && rightSources[0] != rightAlias)
        {
            (left, right) = (right, left);
            (leftSources, rightSources) = (rightSources, leftSources);
        }

        if (leftSources[0] == rightSources[0])
        {
            throw new SqlException($"Each side of the join must reference exactly one source and not the same source. Left side references `{leftSources[0]}` and right references `{rightSources[0]}`", js.On.Location);
        }

        if (rightSources[0] != rightAlias)
        {
            throw new SqlException($"A join criteria is expected to reference the source (`{rightAlias}`) in the FROM clause, instead the right source references `{rightSources[0]}` and the left source references `{leftSources[0]}`", js.On.Location);
        }

        var known = _sources.TakeWhile(s => s.Alias != rightAlias).Select(s => s.Alias).ToHashSet();
        if (!known.Contains(leftSources[0]))
        {
            throw new SqlException($"Invalid join condition: each side must reference a different source, one of them {rightAlias}. Got {js.On}.", js.On.Location);
        }

        SqlType lt, rt;
        try
        {
            lt = TypeOf(left, _scope, "JOIN ON");
            rt = TypeOf(right, _scope, "JOIN ON");
        }
        catch (SqlException e) when (e.Location is null)
        {
            throw new SqlException(e.RawMessage, js.On.Location);
        }

        if (!lt.Equals(rt) && SqlTypes.CommonType(lt, rt) is null)
        {
            throw new SqlException($"Invalid join condition: types don't match. Got {Qualify(left)}{{{lt}}} = {Qualify(right)}{{{rt}}}.", js.On.Location);
        }

        return (left, right, leftSources[0]);
    }

    private List<string> SourcesOf(SqlExpression normalized, SqlExpression on)
    {
        var result = new List<string>();
        foreach (var c in ExpressionTree.ColumnRefs(normalized))
        {
            if (_scope.Find(c.Source, c.Name) is not { } i)
            {
                throw new SqlException($"JOIN ON column '{(c.Source is null ? c.Name : c.Source + "." + c.Name)}' cannot be resolved.", c.Location == default ? on.Location : c.Location);
            }

            if (_scope.Column(i).Source is { } s && !result.Contains(s))
            {
                result.Add(s);
            }
        }

        return result;
    }

    // ---------------------------------------------------------------- pull queries

    private void CheckPull()
    {
        if (!_result.IsPull)
        {
            return;
        }

        if (IsJoin)
        {
            throw new SqlException("Pull queries don't support JOIN clauses.");
        }

        if (_query.Window is not null)
        {
            throw new SqlException("Pull queries don't support WINDOW clauses.");
        }

        if (_query.GroupBy is not null)
        {
            throw new SqlException("Pull queries don't support GROUP BY clauses");
        }

        if (_query.PartitionBy is not null)
        {
            throw new SqlException("Pull queries don't support PARTITION BY clauses");
        }

        var source = _sources[0].Source;
        if (source.IsTable && !source.IsMaterialized)
        {
            throw new SqlException(
                $"The `{source.Name}` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE QUERYABLE_{source.Name} AS SELECT * FROM {source.Name}'. See https://cnfl.io/queries for more info.");
        }
    }

    // ---------------------------------------------------------------- projection

    private sealed class Item
    {
        public required SqlExpression Expression { get; init; }

        public required SqlExpression Original { get; init; }

        public string? Alias { get; init; }

        public string? Name { get; set; }

        public bool IsDereferenceName { get; set; }

        public bool FromStar { get; init; }

        public bool IsKey { get; set; }
    }

    private List<Item> ExpandProjection()
    {
        var items = new List<Item>();
        foreach (var item in _query.Items)
        {
            switch (item)
            {
                case AllColumns all:
                    if (all.Source is not null && !_scope.IsAlias(all.Source))
                    {
                        throw new SqlException($"'{all.Source}' is not a valid stream/table name or alias.", all.Location == default ? null : all.Location);
                    }

                    if (all.Source is null && _syntheticKeyType is not null)
                    {
                        items.Add(new Item { Expression = new ColumnRef(null, "ROWKEY"), Original = new ColumnRef(null, "ROWKEY") });
                    }

                    if (_query.PartitionBy is { } partitionBy && !IsJoin && !_sources[0].Source.IsTable)
                    {
                        // ksqlDB's SELECT * with PARTITION BY: the new key first, then the value columns, then the old key.
                        var added = new List<SqlExpression>();
                        foreach (var p in partitionBy.Where(p => p is not NullLiteral))
                        {
                            var e = Normalize(p);
                            added.Add(e);
                            items.Add(new Item { Expression = e, Original = p });
                        }

                        var source = _sources[0].Source;
                        foreach (var c in source.Schema.Value.Concat(source.Schema.Headers).Concat(source.Schema.Key))
                        {
                            var reference = new ColumnRef(null, c.Name);
                            if (!added.Contains(reference))
                            {
                                items.Add(new Item { Expression = reference, Original = reference });
                            }
                        }

                        break;
                    }

                    foreach (var s in _sources.Where(s => all.Source is null || s.Alias == all.Source || s.Source.Name == all.Source))
                    {
                        foreach (var c in s.Source.Schema.Columns)
                        {
                            var reference = new ColumnRef(IsJoin ? s.Alias : null, c.Name);
                            items.Add(new Item { Expression = reference, Original = reference, FromStar = true });
                            if (c.Kind == ColumnKind.Key && _result.IsPull && s.Source.Window is not null && c == s.Source.Schema.Key[^1])
                            {
                                items.Add(new Item { Expression = new ColumnRef(null, "WINDOWSTART"), Original = new ColumnRef(null, "WINDOWSTART") });
                                items.Add(new Item { Expression = new ColumnRef(null, "WINDOWEND"), Original = new ColumnRef(null, "WINDOWEND") });
                            }
                        }
                    }

                    break;
                case StructAll sa:
                    var baseExpr = Normalize(sa.Base);
                    if (TypeOf(baseExpr, _scope, "SELECT") is not SqlStructType st)
                    {
                        throw new SqlException($"Expected STRUCT type for {sa.Base}->*", sa.Location == default ? null : sa.Location);
                    }

                    foreach (var f in st.Fields)
                    {
                        var d = new Dereference(baseExpr, f.Name) { Location = sa.Location };
                        items.Add(new Item { Expression = d, Original = new Dereference(sa.Base, f.Name), Name = f.Name });
                    }

                    break;
                case SingleColumn sc:
                    items.Add(new Item { Expression = Normalize(sc.Expression), Original = sc.Expression, Alias = sc.Alias });
                    break;
            }
        }

        return items;
    }

    private void NameColumns(List<Item> items)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Alias is not null)
            {
                item.Name = item.Alias;
            }
            else if (item.Name is null && item.Expression is ColumnRef c)
            {
                // In joins ksqlDB prefixes qualified references with their alias (L.ID -> L_ID); unqualified ones keep their name.
                // (star expansion always prefixes; an explicit qualified reference only when the name is in several sources).
                var ambiguous = _sources.Count(s => s.Source.Schema.Find(c.Name) is not null) > 1;
                item.Name = c.Source is null || item.Original is ColumnRef { Source: null } || (!ambiguous && !item.FromStar) ? c.Name : c.Source + "_" + c.Name;
            }
            else if (item.Name is null && item.Expression is Dereference d)
            {
                item.Name = d.Field;
                item.IsDereferenceName = true;
            }

            if (item.Name is not null && !item.IsDereferenceName)
            {
                used.Add(item.Name);
            }
        }

        foreach (var item in items.Where(i => i.IsDereferenceName))
        {
            var name = item.Name!;
            for (var n = 1; !used.Add(name); n++)
            {
                name = item.Name + "_" + n;
            }

            item.Name = name;
        }

        var next = 0;
        foreach (var item in items.Where(i => i.Name is null))
        {
            item.Name = NextGenerated(used, ref next);
        }
    }

    private string NextGenerated(HashSet<string> used, ref int next)
    {
        var sourceNames = _sources.SelectMany(s => s.Source.Schema.Columns).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            var name = "KSQL_COL_" + next++;
            if (!sourceNames.Contains(name) && used.Add(name))
            {
                return name;
            }
        }
    }

    // ---------------------------------------------------------------- aggregation

    private bool ContainsAggregate(SqlExpression e) =>
        ExpressionTree.DescendantsAndSelf(e).Any(x => x is FunctionCall f && _functions.IsAggregate(f.Name));

    private List<SqlType> AnalyzeAggregation(List<Item> items, SqlExpression? having, List<FunctionCall> tableFunctions)
    {
        if (_query.GroupBy is null)
        {
            var first = items.Select(i => i.Expression).Append(having).OfType<SqlExpression>()
                .SelectMany(ExpressionTree.DescendantsAndSelf).OfType<FunctionCall>().First(f => _functions.IsAggregate(f.Name));
            throw new SqlException($"Use of aggregate function {first.Name.ToUpperInvariant()} requires a GROUP BY clause.", first.Location == default ? null : first.Location);
        }

        if (tableFunctions.Count > 0)
        {
            throw new SqlException("Table functions cannot be used with aggregations.");
        }

        var groupBy = _query.GroupBy.Select(Normalize).ToList();
        foreach (var g in groupBy)
        {
            if (ExpressionTree.DescendantsAndSelf(g).OfType<FunctionCall>().FirstOrDefault(f => _functions.IsAggregate(f.Name)) is { } agg)
            {
                throw new SqlException($"GROUP BY does not support aggregate functions: {agg.Name.ToUpperInvariant()} is an aggregate function.", agg.Location == default ? null : agg.Location);
            }
        }

        var groupTypes = groupBy.Select(g => TypeOf(g, _scope, "GROUP BY")).ToList();
        if (!items.Any(i => ContainsAggregate(i.Expression)) && (having is null || !ContainsAggregate(having)))
        {
            // Unknown functions and bad expressions are reported before the missing aggregate, as ksqlDB does.
            foreach (var item in items)
            {
                _ = TypeOf(item.Expression, _scope, "SELECT");
            }

            throw new SqlException("GROUP BY requires aggregate functions in either the SELECT or HAVING clause.");
        }

        var kafka = _sources.Where(s => s.Source.ValueFormat.Format == KafkaFormat).Select(s => s.Source.Name).ToList();
        if (kafka.Count > 0)
        {
            throw new SqlException($"Source(s) {string.Join(", ", kafka)} are using the 'KAFKA' value format. This format does not yet support GROUP BY.");
        }

        var tableSource = !IsJoin && _sources[0].Source.IsTable;
        if (tableSource && _query.Window is not null)
        {
            throw new SqlException("Windowing not supported for table aggregations.", _query.Window.Location);
        }

        if (_sources[0].Source.Window is not null && !IsJoin && !GroupsBySourceKey(groupBy))
        {
            throw new SqlException("Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.");
        }

        var windowed = _query.Window is not null;
        var calls = new List<FunctionCall>();
        foreach (var e in items.Select(i => i.Expression).Append(having).OfType<SqlExpression>())
        {
            CollectAggregates(e, calls, inside: null);
        }

        var aggregates = calls.Select(ResolveAggregate).ToList();
        if (tableSource)
        {
            var noUndo = aggregates.Where(a => !a.Function.SupportsUndo).Select(a => a.Call.Name.ToUpperInvariant()).Distinct().ToList();
            if (noUndo.Count > 0)
            {
                throw new SqlException(noUndo.Count == 1
                    ? $"The aggregation function {noUndo[0]} cannot be applied to a table source, only to a stream source."
                    : $"The aggregation functions {QueryScope.GrammaticalJoin(noUndo, "and")} cannot be applied to a table source, only to a stream source.");
            }
        }

        CheckIntermediateTypes(aggregates);

        var columns = new List<ScopeColumn>();
        var scope = new RowScope([]);
        for (var i = 0; i < groupBy.Count; i++)
        {
            columns.Add(groupBy[i] is ColumnRef c ? new ScopeColumn(c.Name, groupTypes[i], c.Source) : new ScopeColumn("KSQL_GROUP_" + i, groupTypes[i]));
        }

        foreach (var a in aggregates)
        {
            columns.Add(new ScopeColumn("KSQL_AGG_" + (columns.Count - groupBy.Count), a.Function.ReturnType));
        }

        if (windowed)
        {
            columns.Add(new ScopeColumn("WINDOWSTART", SqlTypes.BigInt));
            columns.Add(new ScopeColumn("WINDOWEND", SqlTypes.BigInt));
        }

        scope = new RowScope(columns);
        for (var i = 0; i < groupBy.Count; i++)
        {
            scope.MapExpression(groupBy[i], i, groupTypes[i]);
        }

        for (var i = 0; i < aggregates.Count; i++)
        {
            scope.MapExpression(aggregates[i].Call, groupBy.Count + i, aggregates[i].Function.ReturnType);
        }

        var offending = items.Where(i => !Covered(i.Expression, groupBy, windowed, [])).Select(i => i.Original.ToString()).ToList();
        if (offending.Count > 0)
        {
            throw new SqlException($"Non-aggregate SELECT expression(s) not part of GROUP BY: {string.Join(", ", offending)}\nEither add the column(s) to the GROUP BY or remove them from the SELECT.");
        }

        if (having is not null)
        {
            var bound = ExpressionTree.ColumnRefs(having).FirstOrDefault(c => c.Name is "WINDOWSTART" or "WINDOWEND" && !Covered(c, groupBy, false, []));
            if (bound is not null && windowed)
            {
                throw new SqlException($"Window bounds column {bound.Name} can only be used in the SELECT clause of windowed aggregations", bound.Location == default ? null : bound.Location);
            }

            var uncovered = FirstUncovered(having, groupBy);
            if (uncovered is not null)
            {
                throw new SqlException($"Non-aggregate HAVING expression not part of GROUP BY: {uncovered}", uncovered.Location == default ? null : uncovered.Location);
            }

            CheckPredicate(having, _query.Having!, scope, "HAVING");
        }

        _result.GroupBy = groupBy;
        _result.Window = _query.Window;
        _result.Aggregates = aggregates;
        _result.AggregateColumns = columns;
        _result.AggregateScope = scope;
        _result.Having = having;
        return items.Select(i => TypeOf(i.Expression, scope, "SELECT")).ToList();
    }

    private bool GroupsBySourceKey(List<SqlExpression> groupBy)
    {
        var key = _sources[0].Source.Schema.Key;
        return groupBy.Count == key.Count && groupBy.All(g => g is ColumnRef c && key.Any(k => k.Name == c.Name));
    }

    private void CollectAggregates(SqlExpression e, List<FunctionCall> calls, FunctionCall? inside)
    {
        if (e is FunctionCall f && _functions.IsAggregate(f.Name))
        {
            if (inside is not null)
            {
                throw new SqlException($"Aggregate functions can not be nested: {inside.Name.ToUpperInvariant()}({f.Name.ToUpperInvariant()}())", f.Location == default ? null : f.Location);
            }

            if (!calls.Contains(f))
            {
                calls.Add(f);
            }

            foreach (var a in f.Arguments)
            {
                CollectAggregates(a, calls, f);
            }

            return;
        }

        foreach (var c in ExpressionTree.Children(e))
        {
            CollectAggregates(c, calls, inside);
        }
    }

    private AggregateCall ResolveAggregate(FunctionCall call)
    {
        var args = new List<AggregateArgument>();
        var arguments = new List<SqlExpression>();
        foreach (var a in call.Arguments)
        {
            var literal = a switch
            {
                Literal l => l,
                ArithmeticUnary { Sign: ArithmeticSign.Minus, Operand: IntegerLiteral i } => new IntegerLiteral(-i.Value),
                ArithmeticUnary { Sign: ArithmeticSign.Minus, Operand: BigIntLiteral b } => new BigIntLiteral(-b.Value),
                ArithmeticUnary { Sign: ArithmeticSign.Minus, Operand: DoubleLiteral d } => new DoubleLiteral(-d.Value),
                _ => null,
            };
            if (literal is not null && arguments.Count > 0)
            {
                args.Add(new AggregateArgument(FunctionRegistry.LiteralType(literal.RawValue), true, literal.RawValue));
            }
            else
            {
                args.Add(new AggregateArgument(TypeOf(a, _scope, "SELECT"), false, null));
                arguments.Add(a);
            }
        }

        try
        {
            return new AggregateCall(call, _functions.ResolveAggregate(call.Name, args), arguments);
        }
        catch (SqlException e) when (e.Location is null && call.Location != default)
        {
            throw new SqlException(e.RawMessage, call.Location);
        }
    }

    private void CheckIntermediateTypes(List<AggregateCall> aggregates)
    {
        var format = _sources[0].Source.ValueFormat;
        if (!SqlFormats.IsAvailable(format.Format))
        {
            return;
        }

        var serde = SqlFormats.Get(format.Format);
        foreach (var a in aggregates)
        {
            try
            {
                serde.Validate([new Column("STATE", a.Function.AggregateType), new Column("OTHER", SqlTypes.BigInt)], FormatTarget.Value, format.Options with { WrapSingleValue = null });
            }
            catch (SqlException)
            {
                throw new SqlException("One of the functions used in the statement has an intermediate type that the value format can not handle. Please remove the function or change the format.");
            }
        }
    }

    /// <summary>True when an expression only uses GROUP BY expressions, aggregates, literals and (windowed) window bounds.</summary>
    private bool Covered(SqlExpression e, List<SqlExpression> groupBy, bool windowed, HashSet<string> lambdaNames)
    {
        if (groupBy.Contains(e))
        {
            return true;
        }

        switch (e)
        {
            case FunctionCall f when _functions.IsAggregate(f.Name):
                return true;
            case ColumnRef c:
                return (c.Source is null && lambdaNames.Contains(c.Name))
                    || (windowed && c.Name is "WINDOWSTART" or "WINDOWEND");
            case LambdaFunction l:
                var inner = new HashSet<string>(lambdaNames, StringComparer.Ordinal);
                inner.UnionWith(l.Parameters);
                return Covered(l.Body, groupBy, windowed, inner);
            default:
                return ExpressionTree.Children(e).All(c => Covered(c, groupBy, windowed, lambdaNames));
        }
    }

    private SqlExpression? FirstUncovered(SqlExpression e, List<SqlExpression> groupBy)
    {
        if (groupBy.Contains(e) || e is FunctionCall f && _functions.IsAggregate(f.Name) || e is LambdaFunction)
        {
            return null;
        }

        if (e is ColumnRef)
        {
            return e;
        }

        return ExpressionTree.Children(e).Select(c => FirstUncovered(c, groupBy)).FirstOrDefault(x => x is not null);
    }

    // ---------------------------------------------------------------- partition by

    private void AnalyzePartitionBy()
    {
        if (_query.PartitionBy is null)
        {
            return;
        }

        if (_sources.Any(s => s.Source.Window is not null))
        {
            throw new SqlException("Implicit repartitioning of windowed sources is not supported. See https://github.com/confluentinc/ksql/issues/4385.");
        }

        var exprs = _query.PartitionBy.Select(Normalize).ToList();
        foreach (var e in exprs)
        {
            if (ContainsAggregate(e))
            {
                throw new SqlException("PARTITION BY does not support aggregate functions.", e.Location == default ? null : e.Location);
            }

            if (e is not NullLiteral)
            {
                TypeOf(e, _scope, "PARTITION BY");
            }
        }

        if (!IsJoin && _sources[0].Source.IsTable)
        {
            var key = _sources[0].Source.Schema.Key.Select(k => k.Name).FirstOrDefault() ?? "ROWKEY";
            throw new SqlException($"Cannot repartition a TABLE source. If this is a join, make sure that the criteria uses the TABLE's key column {key} instead of [{string.Join(", ", exprs)}]");
        }

        _result.PartitionBy = exprs;
    }

    // ---------------------------------------------------------------- keys and output

    private enum KeyKind
    {
        Plain,
        Group,
        Partition,
        Join,
        SyntheticJoin,
        ForeignKey,
    }

    private sealed record KeySpec(KeyKind Kind, IReadOnlyList<SqlExpression> Equivalents, string? DefaultName, SqlType Type, string Display);

    private List<KeySpec> KeySpecs()
    {
        var specs = new List<KeySpec>();
        if (_result.PartitionBy is { } partitionBy)
        {
            foreach (var p in partitionBy.Where(p => p is not NullLiteral))
            {
                specs.Add(new KeySpec(KeyKind.Partition, [p], DefaultName(p), TypeOf(p, _scope, "PARTITION BY"), Qualify(p).ToString()));
            }

            return specs;
        }

        if (_result.GroupBy is { } groupBy)
        {
            var originals = _query.GroupBy!;
            for (var i = 0; i < groupBy.Count; i++)
            {
                specs.Add(new KeySpec(KeyKind.Group, [groupBy[i]], DefaultName(groupBy[i]), _result.AggregateColumns![i].Type, originals[i].ToString()));
            }

            return specs;
        }

        if (IsJoin)
        {
            var last = _joins[^1];
            if (_syntheticKeyType is not null)
            {
                specs.Add(new KeySpec(KeyKind.SyntheticJoin, [new ColumnRef(null, "ROWKEY")], "ROWKEY", _syntheticKeyType, "ROWKEY"));
                return specs;
            }

            if (last.IsForeignKey)
            {
                var left = _sources[0];
                foreach (var k in left.Source.Schema.Key)
                {
                    specs.Add(new KeySpec(KeyKind.ForeignKey, [new ColumnRef(left.Alias, k.Name)], left.Alias + "_" + k.Name, k.Type, k.Name));
                }

                return specs;
            }

            var set = new List<SqlExpression> { last.LeftExpression, last.RightExpression };
            for (var i = _joins.Count - 2; i >= 0; i--)
            {
                var j = _joins[i];
                if (set.Contains(j.LeftExpression) || set.Contains(j.RightExpression))
                {
                    foreach (var e in new[] { j.LeftExpression, j.RightExpression }.Where(e => !set.Contains(e)))
                    {
                        set.Add(e);
                    }
                }
            }

            var order = _sources.Select(s => s.Alias).ToList();
            var ordered = set.OrderBy(e => e is ColumnRef c ? order.IndexOf(c.Source!) : int.MaxValue).ToList();
            var columnRefs = ordered.OfType<ColumnRef>().ToList();
            var keyName = DefaultName(last.LeftExpression) ?? DefaultName(last.RightExpression);
            var type = TypeOf(last.LeftExpression, _scope, "JOIN ON");
            specs.Add(new KeySpec(KeyKind.Join, ordered, keyName, type, QueryScope.GrammaticalJoin(columnRefs.Select(c => c.ToString()).ToList(), "or")));
            return specs;
        }

        foreach (var k in _sources[0].Source.Schema.Key)
        {
            specs.Add(new KeySpec(KeyKind.Plain, [new ColumnRef(null, k.Name)], k.Name, k.Type, k.Name));
        }

        return specs;
    }

    private static string? DefaultName(SqlExpression e) => e switch
    {
        ColumnRef { Source: null } c => c.Name,
        ColumnRef c => c.Source + "_" + c.Name,
        _ => null,
    };

    private void BuildOutput(List<Item> items, List<SqlType> types)
    {
        var specs = KeySpecs();
        var missing = new List<KeySpec>();
        var keyColumns = new List<Column>();
        foreach (var spec in specs)
        {
            var matches = items.Where(i => spec.Equivalents.Contains(i.Expression)).ToList();
            if (matches.Count == 0)
            {
                missing.Add(spec);
                continue;
            }

            if (matches.Count > 1 && Persistent && spec.Kind is not (KeyKind.Join or KeyKind.SyntheticJoin))
            {
                var names = matches.Select(m => m.Name!).Order(StringComparer.Ordinal).ToList();
                throw new SqlException(spec.Kind == KeyKind.Group
                    ? $"The projection contains a key column more than once: {string.Join(" and ", names.Select(n => $"`{n}`"))}."
                    : $"The projection contains a key column (`{spec.DefaultName ?? names[0]}`) more than once, aliased as: {string.Join(" and ", names)}.");
            }

            matches[0].IsKey = true;
            keyColumns.Add(new Column(matches[0].Name!, types[items.IndexOf(matches[0])], ColumnKind.Key));
        }

        if (Persistent && missing.Count > 0)
        {
            throw MissingKeys(missing);
        }

        if (Persistent)
        {
            foreach (var item in items)
            {
                if (SourceAnalyzer.PseudoColumns.Contains(item.Name, StringComparer.Ordinal))
                {
                    throw item.Expression is ColumnRef c && c.Name == item.Name
                        ? new SqlException($"Reserved column name in select: `{item.Name}`. Please remove or alias the column.")
                        : new SqlException($"`{item.Name}` is a reserved column name. You cannot use it as an alias for a column.");
                }
            }
        }

        var values = new List<Column>();
        for (var i = 0; i < items.Count; i++)
        {
            if (!items[i].IsKey)
            {
                values.Add(new Column(items[i].Name!, types[i]));
            }
        }

        if (Persistent && values.Count == 0)
        {
            throw new SqlException("The projection contains no value columns.");
        }

        var duplicate = keyColumns.Concat(values).GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SqlException($"Duplicate {(duplicate.Any(c => c.Kind == ColumnKind.Key) ? "key" : "value")} columns found in schema: {duplicate.Last()}");
        }

        // Key columns in key order (GROUP BY order), then value columns in projection order.
        _result.Projection = items.Select((item, i) => new OutputColumn(item.Name!, item.Expression, types[i], item.IsKey)).ToList();
        _result.Schema = new LogicalSchema(keyColumns.Concat(values));
        var allTables = _sources.All(s => s.Source.IsTable);
        _result.ResultKind = _result.IsAggregation || (allTables && _result.PartitionBy is null) ? SourceKind.Table : SourceKind.Stream;
        _result.ResultWindow = _query.Window is { } w
            ? new WindowInfo(w.Type, w.Type == WindowType.Session ? null : w.Size.Milliseconds)
            : _result.IsAggregation ? null : _sources[0].Source.Window;
    }

    private const string KeyMissing = "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\n";

    private SqlException MissingKeys(List<KeySpec> missing)
    {
        var sink = _sink!.Name;
        var kind = missing[0].Kind;
        if (kind == KeyKind.ForeignKey)
        {
            var cols = string.Join(", ", missing.Select(m => $"`{m.Display}`"));
            var plural = missing.Count > 1;
            return new SqlException(
                $"Primary key column{(plural ? "s" : string.Empty)} missing in projection. For foreign-key table-table joins, the projection must include all primary key columns from the left input table (`{_sources[0].Source.Name}`). Missing column{(plural ? "s" : string.Empty)}: {cols}.");
        }

        if (kind is KeyKind.Join or KeyKind.SyntheticJoin)
        {
            var spec = missing[0];
            var refs = spec.Equivalents.OfType<ColumnRef>().Select(c => c.ToString()).ToList();
            var what = refs.Count > 1 ? "join expressions" : "join expression";
            var message = $"The query used to build `{sink}` must include the {what} {spec.Display} in its projection (eg, SELECT {refs.FirstOrDefault() ?? spec.Display}...).";
            if (kind == KeyKind.SyntheticJoin)
            {
                message += "\nROWKEY was added as a synthetic key column because the join criteria did not match any source column. This expression must be included in the projection and may be aliased.";
            }

            return new SqlException(KeyMissing + message);
        }

        var noun = kind switch
        {
            KeyKind.Group => "grouping expression",
            KeyKind.Partition => "partitioning expression",
            _ => "key column",
        };
        var displays = missing.Select(m => m.Display).ToList();
        var many = displays.Count > 1;
        return new SqlException(KeyMissing +
            $"The query used to build `{sink}` must include the {noun}{(many ? "s" : string.Empty)} {QueryScope.GrammaticalJoin(displays, "and")} in its projection (eg, SELECT {string.Join(", ", displays)}...).");
    }

    // ---------------------------------------------------------------- sink

    private void BuildSink()
    {
        var request = _sink!;
        if (request.Existing is { } existing)
        {
            if (_result.ResultKind == SourceKind.Table)
            {
                throw new SqlException($"INSERT INTO can only be used to insert from a stream into a stream. The query produces a TABLE.");
            }

            var result = _result.Schema;
            if (!SameShape(result, existing.Schema))
            {
                throw new SqlException($"Incompatible schema between results and sink.\nResult schema is {result}\nSink schema is {existing.Schema}");
            }

            _result.Sink = existing;
            return;
        }

        if (request.Kind != _result.ResultKind)
        {
            throw new SqlException(_result.ResultKind == SourceKind.Table
                ? "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead."
                : "Invalid result type. Your SELECT query produces a STREAM. Please use CREATE STREAM AS SELECT statement instead.");
        }

        var props = new Props(request.Properties);
        var left = _sources[0].Source;
        var (keyFormat, valueFormat) = SourceAnalyzer.Formats(props, _settings, left.KeyFormat, left.ValueFormat);
        if (_result.Schema.Key.Count == 0 && props.String("KEY_FORMAT") is null && props.String("FORMAT") is null)
        {
            keyFormat = new SourceFormat("NONE", FormatOptions.Default);
        }
        else if (keyFormat.Format == "NONE" && _result.Schema.Key.Count > 0 && props.String("KEY_FORMAT") is null && props.String("FORMAT") is null)
        {
            keyFormat = new SourceFormat(_settings.DefaultKeyFormat.ToUpperInvariant(), FormatOptions.Default);
        }

        SourceAnalyzer.CheckPersistence(_result.Schema, keyFormat, valueFormat, null);
        var (timestamp, timestampFormat) = SourceAnalyzer.Timestamp(props, _result.Schema, null);
        _result.Sink = new DataSource(request.Name, _result.ResultKind, _result.Schema, props.String("KAFKA_TOPIC") ?? request.Name, keyFormat, valueFormat)
        {
            Window = _result.ResultWindow,
            TimestampColumn = timestamp,
            TimestampFormat = timestampFormat,
            IsMaterialized = _result.ResultKind == SourceKind.Table,
            Partitions = props.Int("PARTITIONS"),
            Replicas = props.Int("REPLICAS"),
        };
    }

    private static bool SameShape(LogicalSchema a, LogicalSchema b) =>
        a.Key.SequenceEqual(b.Key) && a.Value.SequenceEqual(b.Value);
}
