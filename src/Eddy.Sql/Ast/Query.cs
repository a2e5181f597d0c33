namespace Eddy.Sql.Ast;

/// <summary>
/// A SELECT: a push query (EMIT CHANGES / EMIT FINAL), a pull query (no EMIT), or the query of a
/// CREATE ... AS SELECT or INSERT INTO. Clause order is fixed as in ksqlDB.
/// </summary>
/// <param name="Items">The projection.</param>
/// <param name="From">The source, possibly with joins.</param>
/// <param name="Window">WINDOW clause, or null.</param>
/// <param name="Where">WHERE predicate, or null.</param>
/// <param name="GroupBy">GROUP BY expressions, or null when absent.</param>
/// <param name="PartitionBy">PARTITION BY expressions, or null when absent.</param>
/// <param name="Having">HAVING predicate, or null.</param>
/// <param name="Emit">EMIT CHANGES / EMIT FINAL, or null when absent (a pull query at top level).</param>
/// <param name="Limit">LIMIT n, or null.</param>
/// <example>
/// <code>
/// var q = (Query)SqlParser.ParseStatement("SELECT id, COUNT(*) FROM orders GROUP BY id EMIT CHANGES;");
/// bool push = q.IsPush; // true
/// </code>
/// </example>
public sealed record Query(
    NodeList<SelectItem> Items,
    Relation From,
    WindowExpression? Window,
    SqlExpression? Where,
    NodeList<SqlExpression>? GroupBy,
    NodeList<SqlExpression>? PartitionBy,
    SqlExpression? Having,
    EmitKind? Emit,
    int? Limit) : Statement
{
    /// <summary>True when the query has an EMIT clause (a push query when run on its own).</summary>
    public bool IsPush => Emit is not null;
}

/// <summary>EMIT CHANGES or EMIT FINAL.</summary>
/// <example><code>var e = EmitKind.Final;</code></example>
public enum EmitKind
{
    /// <summary>EMIT CHANGES: every update is emitted.</summary>
    Changes,

    /// <summary>EMIT FINAL: one result per window, once the window closes (windowed aggregations).</summary>
    Final,
}

/// <summary>Base of projection items.</summary>
/// <example><code>SelectItem item = new AllColumns(null);</code></example>
public abstract record SelectItem : SqlNode;

/// <summary>An expression, optionally aliased: <c>expr [AS] alias</c>.</summary>
/// <param name="Expression">The expression.</param>
/// <param name="Alias">The alias, or null.</param>
/// <example><code>var item = new SingleColumn(new ColumnRef(null, "ID"), "ORDER_ID");</code></example>
public sealed record SingleColumn(SqlExpression Expression, string? Alias) : SelectItem;

/// <summary><c>*</c> or <c>source.*</c>.</summary>
/// <param name="Source">The qualifier, or null for <c>*</c>.</param>
/// <example><code>var star = new AllColumns("O");</code></example>
public sealed record AllColumns(string? Source) : SelectItem;

/// <summary><c>base-&gt;*</c>: every field of a struct.</summary>
/// <param name="Base">The struct expression.</param>
/// <example><code>var all = new StructAll(new ColumnRef(null, "ADDRESS"));</code></example>
public sealed record StructAll(SqlExpression Base) : SelectItem;

/// <summary>Base of FROM clauses.</summary>
/// <example><code>Relation r = new AliasedRelation("ORDERS", "O");</code></example>
public abstract record Relation : SqlNode;

/// <summary>A source (stream or table) with an optional alias.</summary>
/// <param name="Source">The source name.</param>
/// <param name="Alias">The alias, or null.</param>
/// <example><code>var r = new AliasedRelation("ORDERS", null);</code></example>
public sealed record AliasedRelation(string Source, string? Alias) : Relation
{
    /// <summary>The name columns of this source are qualified with: the alias, else the source name.</summary>
    public string EffectiveName => Alias ?? Source;
}

/// <summary>A left source followed by one or more joins (a multi-way join when there are several).</summary>
/// <param name="Left">The first source.</param>
/// <param name="Joins">The joined sources, in order.</param>
/// <example><code>var j = SqlParser.ParseStatement("SELECT * FROM a JOIN b ON a.id = b.id EMIT CHANGES;");</code></example>
public sealed record JoinRelation(AliasedRelation Left, NodeList<JoinedSource> Joins) : Relation;

/// <summary>One <c>[type] JOIN source [WITHIN ...] ON condition</c>.</summary>
/// <param name="Type">INNER, LEFT, RIGHT or FULL (OUTER).</param>
/// <param name="Right">The joined source.</param>
/// <param name="Within">The WITHIN window of a stream-stream join, or null.</param>
/// <param name="On">The join condition.</param>
/// <example><code>var js = ((JoinRelation)query.From).Joins[0];</code></example>
public sealed record JoinedSource(JoinType Type, AliasedRelation Right, WithinExpression? Within, SqlExpression On) : SqlNode;

/// <summary>Join kinds.</summary>
/// <example><code>var t = JoinType.Left;</code></example>
public enum JoinType
{
    /// <summary>[INNER] JOIN</summary>
    Inner,

    /// <summary>LEFT [OUTER] JOIN</summary>
    Left,

    /// <summary>RIGHT [OUTER] JOIN</summary>
    Right,

    /// <summary>FULL [OUTER] JOIN</summary>
    Outer,
}

/// <summary>A duration written as a number and a unit: <c>10 SECONDS</c>.</summary>
/// <param name="Value">The number.</param>
/// <param name="Unit">The unit.</param>
/// <example><code>var d = new Duration(10, TimeUnit.Seconds); long ms = d.Milliseconds;</code></example>
public sealed record Duration(long Value, TimeUnit Unit) : SqlNode
{
    /// <summary>The duration in milliseconds.</summary>
    public long Milliseconds => Unit.ToMilliseconds(Value);
}

/// <summary>
/// WITHIN of a stream-stream join: <c>WITHIN 10 SECONDS</c> (before = after) or
/// <c>WITHIN (1 SECOND, 2 SECONDS)</c>, with an optional GRACE PERIOD.
/// </summary>
/// <param name="Before">How far the other record may precede.</param>
/// <param name="After">How far the other record may follow.</param>
/// <param name="Grace">GRACE PERIOD, or null.</param>
/// <example><code>var w = new WithinExpression(new Duration(1, TimeUnit.Hours), new Duration(1, TimeUnit.Hours), null);</code></example>
public sealed record WithinExpression(Duration Before, Duration After, Duration? Grace) : SqlNode;

/// <summary>Window kinds.</summary>
/// <example><code>var w = WindowType.Hopping;</code></example>
public enum WindowType
{
    /// <summary>TUMBLING (SIZE ...)</summary>
    Tumbling,

    /// <summary>HOPPING (SIZE ..., ADVANCE BY ...)</summary>
    Hopping,

    /// <summary>SESSION (gap)</summary>
    Session,
}

/// <summary>
/// WINDOW TUMBLING (SIZE n unit [, RETENTION n unit] [, GRACE PERIOD n unit]), HOPPING (SIZE ..., ADVANCE BY ...),
/// or SESSION (gap ...).
/// </summary>
/// <param name="Type">The window kind.</param>
/// <param name="Size">The size (the inactivity gap for SESSION).</param>
/// <param name="Advance">ADVANCE BY of a hopping window, else null.</param>
/// <param name="Retention">RETENTION, or null.</param>
/// <param name="Grace">GRACE PERIOD, or null.</param>
/// <example><code>var w = new WindowExpression(WindowType.Tumbling, new Duration(1, TimeUnit.Minutes), null, null, null);</code></example>
public sealed record WindowExpression(WindowType Type, Duration Size, Duration? Advance, Duration? Retention, Duration? Grace) : SqlNode;
