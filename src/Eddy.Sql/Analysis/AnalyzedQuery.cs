using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Analysis;

/// <summary>
/// A query checked against the catalog: its sources, joins, the input row layout every expression
/// is typed against, aggregates, the projection with output names and key columns, and the result
/// schema. This is what a planner turns into operators.
/// </summary>
/// <remarks>
/// Expressions in an analyzed query are <em>normalized</em>: column references name their source
/// alias in joins (<c>L.ID</c>) and are unqualified for a single source (<c>ID</c>), so structurally
/// equal expressions mean the same thing. Compile them against <see cref="InputScope"/> (WHERE,
/// PARTITION BY, GROUP BY, aggregate arguments, non-aggregate projections) or
/// <see cref="AggregateScope"/> (projection and HAVING of an aggregation).
/// </remarks>
/// <example>
/// <code>
/// var q = analyzer.AnalyzeQuery((Query)SqlParser.ParseStatement("SELECT id, COUNT(*) AS n FROM orders GROUP BY id EMIT CHANGES;"));
/// Console.WriteLine(q.Schema);       // `ID` BIGINT KEY, `N` BIGINT
/// Console.WriteLine(q.ResultKind);   // Table
/// var count = q.Aggregates[0].Function; // COUNT()
/// </code>
/// </example>
public sealed class AnalyzedQuery
{
    internal AnalyzedQuery(Query query) => Query = query;

    /// <summary>The query as parsed.</summary>
    public Query Query { get; }

    /// <summary>The sources in FROM order (one unless there are joins).</summary>
    public IReadOnlyList<AnalyzedSource> Sources { get; internal set; } = [];

    /// <summary>The joins, in order; empty for a single source.</summary>
    public IReadOnlyList<AnalyzedJoin> Joins { get; internal set; } = [];

    /// <summary>
    /// The input row every pre-aggregation expression reads: for each source in order its key, value
    /// and header columns then its pseudo columns (ROWTIME, ROWPARTITION, ROWOFFSET and, when
    /// windowed, WINDOWSTART, WINDOWEND); then a synthetic join key ROWKEY when there is one.
    /// </summary>
    public IReadOnlyList<InputColumn> InputColumns { get; internal set; } = [];

    /// <summary>A scope over <see cref="InputColumns"/>.</summary>
    public IExpressionScope InputScope { get; internal set; } = null!;

    /// <summary>The WHERE predicate (normalized), or null.</summary>
    public SqlExpression? Where { get; internal set; }

    /// <summary>The WINDOW of an aggregation, or null.</summary>
    public WindowExpression? Window { get; internal set; }

    /// <summary>The GROUP BY expressions (normalized), or null when the query does not aggregate.</summary>
    public IReadOnlyList<SqlExpression>? GroupBy { get; internal set; }

    /// <summary>The aggregate calls of the projection and HAVING, distinct, in order of appearance.</summary>
    public IReadOnlyList<AggregateCall> Aggregates { get; internal set; } = [];

    /// <summary>
    /// The row after aggregation, which the projection and HAVING of an aggregation read: the GROUP BY
    /// values, then the aggregate results, then WINDOWSTART and WINDOWEND when windowed. Null when
    /// the query does not aggregate.
    /// </summary>
    public IReadOnlyList<ScopeColumn>? AggregateColumns { get; internal set; }

    /// <summary>A scope over <see cref="AggregateColumns"/> mapping GROUP BY expressions and aggregate calls to their positions; null when the query does not aggregate.</summary>
    public IExpressionScope? AggregateScope { get; internal set; }

    /// <summary>The HAVING predicate (normalized), or null.</summary>
    public SqlExpression? Having { get; internal set; }

    /// <summary>The PARTITION BY expressions (normalized), or null.</summary>
    public IReadOnlyList<SqlExpression>? PartitionBy { get; internal set; }

    /// <summary>Table function calls in the projection (EXPLODE, ...), each producing one output row per value.</summary>
    public IReadOnlyList<FunctionCall> TableFunctions { get; internal set; } = [];

    /// <summary>The output columns in projection order, * expanded, with names and key flags.</summary>
    public IReadOnlyList<OutputColumn> Projection { get; internal set; } = [];

    /// <summary>The result's columns: key columns first, then value columns.</summary>
    public LogicalSchema Schema { get; internal set; } = new([]);

    /// <summary>STREAM or TABLE.</summary>
    public SourceKind ResultKind { get; internal set; }

    /// <summary>The window of the result's keys, or null.</summary>
    public WindowInfo? ResultWindow { get; internal set; }

    /// <summary>True for a pull query (a top-level SELECT without EMIT).</summary>
    public bool IsPull { get; internal set; }

    /// <summary>The sink of CREATE ... AS SELECT or INSERT INTO, or null for a transient query.</summary>
    public DataSource? Sink { get; internal set; }

    /// <summary>True when the query aggregates (GROUP BY).</summary>
    public bool IsAggregation => GroupBy is not null;
}

/// <summary>A source of a query with the alias its columns are qualified by.</summary>
/// <param name="Alias">The alias, or the source name when none was given.</param>
/// <param name="Source">The source.</param>
/// <example><code>var s = q.Sources[0]; Console.WriteLine($"{s.Alias}: {s.Source.Topic}");</code></example>
public sealed record AnalyzedSource(string Alias, DataSource Source);

/// <summary>One column of a query's input row.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Source">The alias of the source it comes from; null for a synthetic join key.</param>
/// <param name="Kind">Key, value, header or pseudo column.</param>
/// <param name="HeaderKey">The header key of a HEADER('k') column.</param>
/// <example><code>var rowtime = q.InputColumns.First(c => c.Kind == InputColumnKind.Pseudo &amp;&amp; c.Name == "ROWTIME");</code></example>
public sealed record InputColumn(string Name, SqlType Type, string? Source, InputColumnKind Kind, string? HeaderKey = null);

/// <summary>Where an input column's value comes from.</summary>
/// <example><code>var k = InputColumnKind.Pseudo;</code></example>
public enum InputColumnKind
{
    /// <summary>The record key.</summary>
    Key,

    /// <summary>The record value.</summary>
    Value,

    /// <summary>The record headers.</summary>
    Header,

    /// <summary>ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART or WINDOWEND: record metadata.</summary>
    Pseudo,

    /// <summary>The synthetic ROWKEY of a join: the non-null of the join expressions' values.</summary>
    SyntheticJoinKey,
}

/// <summary>A join of a source to everything before it.</summary>
/// <param name="Type">INNER, LEFT, RIGHT or OUTER (FULL).</param>
/// <param name="Right">The joined source.</param>
/// <param name="LeftExpression">The side of the ON equality on the sources before (normalized).</param>
/// <param name="RightExpression">The side of the ON equality on <paramref name="Right"/> (normalized).</param>
/// <param name="Within">The WITHIN window of a stream-stream join, or null.</param>
/// <param name="IsForeignKey">True for a table-table join on a non-key column of the left table.</param>
/// <example><code>var j = q.Joins[0]; Console.WriteLine($"{j.LeftExpression} = {j.RightExpression}");</code></example>
public sealed record AnalyzedJoin(JoinType Type, AnalyzedSource Right, SqlExpression LeftExpression, SqlExpression RightExpression, WithinExpression? Within, bool IsForeignKey);

/// <summary>An aggregate call of an aggregation: the resolved function and the expressions it reads.</summary>
/// <param name="Call">The call as normalized in the query (the key of <see cref="AnalyzedQuery.AggregateScope"/>).</param>
/// <param name="Function">The resolved aggregate.</param>
/// <param name="Arguments">The non-literal arguments, computed per input row and passed to <see cref="AggregateFunction.Aggregate"/>.</param>
/// <example><code>foreach (var a in q.Aggregates) Console.WriteLine($"{a.Call} -> {a.Function.ReturnType}");</code></example>
public sealed record AggregateCall(FunctionCall Call, AggregateFunction Function, IReadOnlyList<SqlExpression> Arguments);

/// <summary>One column of the projection.</summary>
/// <param name="Name">The output name: the alias, else the column name (ALIAS_NAME in joins), else the struct field, else KSQL_COL_n.</param>
/// <param name="Expression">The normalized expression.</param>
/// <param name="Type">Its type.</param>
/// <param name="IsKey">True when this column is (one of) the result's key columns.</param>
/// <example><code>foreach (var c in q.Projection) Console.WriteLine($"{c.Name} {c.Type}{(c.IsKey ? " KEY" : "")}");</code></example>
public sealed record OutputColumn(string Name, SqlExpression Expression, SqlType Type, bool IsKey);
