using Eddy.Sql.Types;

namespace Eddy.Sql.Ast;

/// <summary>Base of every SQL expression node.</summary>
/// <example>
/// <code>
/// SqlExpression e = SqlParser.ParseExpression("price * quantity");
/// </code>
/// </example>
public abstract record SqlExpression : SqlNode;

/// <summary>Base of literal values.</summary>
/// <example>
/// <code>
/// if (e is Literal lit) Console.WriteLine(lit.RawValue);
/// </code>
/// </example>
public abstract record Literal : SqlExpression
{
    /// <summary>The literal's value in the runtime value model (null for NULL).</summary>
    public abstract object? RawValue { get; }
}

/// <summary>NULL.</summary>
/// <example><code>var n = new NullLiteral();</code></example>
public sealed record NullLiteral : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => null;
}

/// <summary>TRUE or FALSE.</summary>
/// <param name="Value">The value.</param>
/// <example><code>var t = new BooleanLiteral(true);</code></example>
public sealed record BooleanLiteral(bool Value) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => Value;
}

/// <summary>An integer literal that fits 32 bits: typed INTEGER.</summary>
/// <param name="Value">The value.</param>
/// <example><code>var i = new IntegerLiteral(42);</code></example>
public sealed record IntegerLiteral(int Value) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => Value;
}

/// <summary>An integer literal beyond 32 bits: typed BIGINT.</summary>
/// <param name="Value">The value.</param>
/// <example><code>var l = new BigIntLiteral(10_000_000_000);</code></example>
public sealed record BigIntLiteral(long Value) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => Value;
}

/// <summary>A literal with a decimal point and no exponent (<c>1.50</c>): typed DECIMAL(p, s) from its digits.</summary>
/// <param name="Value">The value, scale as written.</param>
/// <example><code>var d = new DecimalLiteral(SqlDecimal.Parse("1.50")); // DECIMAL(3, 2)</code></example>
public sealed record DecimalLiteral(SqlDecimal Value) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => Value;
}

/// <summary>A literal with an exponent (<c>1.5E0</c>): typed DOUBLE.</summary>
/// <param name="Value">The value.</param>
/// <example><code>var d = new DoubleLiteral(1.5);</code></example>
public sealed record DoubleLiteral(double Value) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => Value;
}

/// <summary>A quoted string literal (<c>'it''s'</c>).</summary>
/// <param name="Value">The unescaped value.</param>
/// <example><code>var s = new StringLiteral("it's");</code></example>
public sealed record StringLiteral(string Value) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => Value;
}

/// <summary>A <c>${name}</c> variable that was not substituted before parsing.</summary>
/// <param name="Name">The variable name.</param>
/// <example><code>var v = new VariableLiteral("topic");</code></example>
public sealed record VariableLiteral(string Name) : Literal
{
    /// <inheritdoc/>
    public override object? RawValue => "${" + Name + "}";
}

/// <summary>A column (or lambda variable) reference, optionally qualified by a source name or alias.</summary>
/// <param name="Source">The qualifier (<c>o</c> in <c>o.id</c>), or null.</param>
/// <param name="Name">The column name (unquoted names upper-cased).</param>
/// <example><code>var c = new ColumnRef("O", "ID");</code></example>
public sealed record ColumnRef(string? Source, string Name) : SqlExpression;

/// <summary>Struct field access: <c>base-&gt;field</c>.</summary>
/// <param name="Base">The struct expression.</param>
/// <param name="Field">The field name.</param>
/// <example><code>var d = new Dereference(new ColumnRef(null, "ADDRESS"), "CITY");</code></example>
public sealed record Dereference(SqlExpression Base, string Field) : SqlExpression;

/// <summary>Array element (1-based; negative counts from the end) or map value: <c>base[index]</c>.</summary>
/// <param name="Base">The array or map.</param>
/// <param name="Index">The index or key.</param>
/// <example><code>var s = new Subscript(new ColumnRef(null, "TAGS"), new IntegerLiteral(1));</code></example>
public sealed record Subscript(SqlExpression Base, SqlExpression Index) : SqlExpression;

/// <summary>A function call: scalar, aggregate or table function. <c>COUNT(*)</c> has <see cref="IsStar"/> set.</summary>
/// <param name="Name">The function name (upper-cased).</param>
/// <param name="Arguments">The arguments, lambdas last.</param>
/// <param name="IsStar">True for <c>f(*)</c>.</param>
/// <example><code>var f = new FunctionCall("UCASE", new SqlExpression[] { new ColumnRef(null, "NAME") }, false);</code></example>
public sealed record FunctionCall(string Name, NodeList<SqlExpression> Arguments, bool IsStar = false) : SqlExpression;

/// <summary>A lambda passed to a function: <c>x =&gt; x + 1</c> or <c>(k, v) =&gt; v &gt; 0</c>.</summary>
/// <param name="Parameters">The parameter names.</param>
/// <param name="Body">The body.</param>
/// <example><code>var l = SqlParser.ParseExpression("TRANSFORM(xs, x => x * 2)");</code></example>
public sealed record LambdaFunction(NodeList<string> Parameters, SqlExpression Body) : SqlExpression;

/// <summary>A time unit used as a function argument: <c>TIMESTAMPADD(SECONDS, 5, ts)</c>.</summary>
/// <param name="Unit">The unit.</param>
/// <example><code>var u = new IntervalUnitLiteral(TimeUnit.Seconds);</code></example>
public sealed record IntervalUnitLiteral(TimeUnit Unit) : SqlExpression;

/// <summary><c>CAST(operand AS type)</c>.</summary>
/// <param name="Operand">The value.</param>
/// <param name="Type">The target type.</param>
/// <example><code>var c = SqlParser.ParseExpression("CAST(x AS DECIMAL(10, 2))");</code></example>
public sealed record Cast(SqlExpression Operand, TypeRef Type) : SqlExpression;

/// <summary>Unary plus or minus.</summary>
/// <param name="Sign">The sign.</param>
/// <param name="Operand">The value.</param>
/// <example><code>var n = new ArithmeticUnary(ArithmeticSign.Minus, new ColumnRef(null, "X"));</code></example>
public sealed record ArithmeticUnary(ArithmeticSign Sign, SqlExpression Operand) : SqlExpression;

/// <summary>Binary arithmetic: + - * / % and string concatenation ||.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
/// <example><code>var e = SqlParser.ParseExpression("a * (b + 1)");</code></example>
public sealed record ArithmeticBinary(ArithmeticOperator Operator, SqlExpression Left, SqlExpression Right) : SqlExpression;

/// <summary>A comparison, including IS [NOT] DISTINCT FROM.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
/// <example><code>var e = SqlParser.ParseExpression("a IS DISTINCT FROM b");</code></example>
public sealed record Comparison(ComparisonOperator Operator, SqlExpression Left, SqlExpression Right) : SqlExpression;

/// <summary>AND or OR.</summary>
/// <param name="Operator">The operator.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
/// <example><code>var e = SqlParser.ParseExpression("a > 1 AND b &lt; 2");</code></example>
public sealed record LogicalBinary(LogicalOperator Operator, SqlExpression Left, SqlExpression Right) : SqlExpression;

/// <summary>NOT operand.</summary>
/// <param name="Operand">The boolean value.</param>
/// <example><code>var e = new Not(new ColumnRef(null, "FLAG"));</code></example>
public sealed record Not(SqlExpression Operand) : SqlExpression;

/// <summary>IS NULL / IS NOT NULL.</summary>
/// <param name="Operand">The value.</param>
/// <param name="Negated">True for IS NOT NULL.</param>
/// <example><code>var e = SqlParser.ParseExpression("name IS NOT NULL");</code></example>
public sealed record IsNull(SqlExpression Operand, bool Negated) : SqlExpression;

/// <summary>[NOT] BETWEEN min AND max (inclusive).</summary>
/// <param name="Value">The value.</param>
/// <param name="Min">Lower bound.</param>
/// <param name="Max">Upper bound.</param>
/// <param name="Negated">True for NOT BETWEEN.</param>
/// <example><code>var e = SqlParser.ParseExpression("x BETWEEN 1 AND 10");</code></example>
public sealed record Between(SqlExpression Value, SqlExpression Min, SqlExpression Max, bool Negated) : SqlExpression;

/// <summary>[NOT] IN (item, ...).</summary>
/// <param name="Value">The value.</param>
/// <param name="Items">The candidates.</param>
/// <param name="Negated">True for NOT IN.</param>
/// <example><code>var e = SqlParser.ParseExpression("id IN (1, 2, 3)");</code></example>
public sealed record InList(SqlExpression Value, NodeList<SqlExpression> Items, bool Negated) : SqlExpression;

/// <summary>[NOT] LIKE pattern [ESCAPE 'c']: % matches any run of characters, _ one character.</summary>
/// <param name="Value">The string.</param>
/// <param name="Pattern">The pattern.</param>
/// <param name="Escape">The escape character, if any.</param>
/// <param name="Negated">True for NOT LIKE.</param>
/// <example><code>var e = SqlParser.ParseExpression("name LIKE 'a!%%' ESCAPE '!'");</code></example>
public sealed record Like(SqlExpression Value, SqlExpression Pattern, char? Escape, bool Negated) : SqlExpression;

/// <summary>One WHEN ... THEN ... branch of a CASE.</summary>
/// <param name="Condition">The condition (searched CASE) or the value to match (simple CASE).</param>
/// <param name="Result">The result.</param>
/// <example><code>var w = new WhenClause(new BooleanLiteral(true), new IntegerLiteral(1));</code></example>
public sealed record WhenClause(SqlExpression Condition, SqlExpression Result) : SqlNode;

/// <summary>CASE WHEN cond THEN result ... [ELSE result] END.</summary>
/// <param name="WhenClauses">The branches, in order.</param>
/// <param name="Else">The ELSE result, or null.</param>
/// <example><code>var e = SqlParser.ParseExpression("CASE WHEN x &lt; 0 THEN 'neg' ELSE 'pos' END");</code></example>
public sealed record SearchedCase(NodeList<WhenClause> WhenClauses, SqlExpression? Else) : SqlExpression;

/// <summary>CASE operand WHEN value THEN result ... [ELSE result] END.</summary>
/// <param name="Operand">The value compared to each WHEN value.</param>
/// <param name="WhenClauses">The branches, in order.</param>
/// <param name="Else">The ELSE result, or null.</param>
/// <example><code>var e = SqlParser.ParseExpression("CASE code WHEN 1 THEN 'one' END");</code></example>
public sealed record SimpleCase(SqlExpression Operand, NodeList<WhenClause> WhenClauses, SqlExpression? Else) : SqlExpression;

/// <summary>ARRAY[item, ...].</summary>
/// <param name="Items">The elements.</param>
/// <example><code>var e = SqlParser.ParseExpression("ARRAY[1, 2, 3]");</code></example>
public sealed record CreateArray(NodeList<SqlExpression> Items) : SqlExpression;

/// <summary>One key := value entry of a MAP constructor.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <example><code>var e = new MapEntry(new StringLiteral("a"), new IntegerLiteral(1));</code></example>
public sealed record MapEntry(SqlExpression Key, SqlExpression Value) : SqlNode;

/// <summary>MAP(key := value, ...).</summary>
/// <param name="Entries">The entries.</param>
/// <example><code>var e = SqlParser.ParseExpression("MAP('a' := 1, 'b' := 2)");</code></example>
public sealed record CreateMap(NodeList<MapEntry> Entries) : SqlExpression;

/// <summary>One name := value field of a STRUCT constructor.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The value.</param>
/// <example><code>var f = new StructFieldValue("A", new IntegerLiteral(1));</code></example>
public sealed record StructFieldValue(string Name, SqlExpression Value) : SqlNode;

/// <summary>STRUCT(name := value, ...).</summary>
/// <param name="Fields">The fields.</param>
/// <example><code>var e = SqlParser.ParseExpression("STRUCT(city := 'Paris', zip := 75001)");</code></example>
public sealed record CreateStruct(NodeList<StructFieldValue> Fields) : SqlExpression;

/// <summary>value AT TIME ZONE 'zone'.</summary>
/// <param name="Value">The timestamp.</param>
/// <param name="TimeZone">The zone id.</param>
/// <example><code>var e = SqlParser.ParseExpression("ts AT TIME ZONE 'UTC'");</code></example>
public sealed record AtTimeZone(SqlExpression Value, string TimeZone) : SqlExpression;

/// <summary>Unary signs.</summary>
/// <example><code>var s = ArithmeticSign.Minus;</code></example>
public enum ArithmeticSign
{
    /// <summary>+</summary>
    Plus,

    /// <summary>-</summary>
    Minus,
}

/// <summary>Binary arithmetic operators.</summary>
/// <example><code>var op = ArithmeticOperator.Multiply;</code></example>
public enum ArithmeticOperator
{
    /// <summary>+</summary>
    Add,

    /// <summary>-</summary>
    Subtract,

    /// <summary>*</summary>
    Multiply,

    /// <summary>/</summary>
    Divide,

    /// <summary>%</summary>
    Modulus,

    /// <summary>|| (string and bytes concatenation)</summary>
    Concat,
}

/// <summary>Comparison operators.</summary>
/// <example><code>var op = ComparisonOperator.GreaterThanOrEqual;</code></example>
public enum ComparisonOperator
{
    /// <summary>=</summary>
    Equal,

    /// <summary>&lt;&gt; or !=</summary>
    NotEqual,

    /// <summary>&lt;</summary>
    LessThan,

    /// <summary>&lt;=</summary>
    LessThanOrEqual,

    /// <summary>&gt;</summary>
    GreaterThan,

    /// <summary>&gt;=</summary>
    GreaterThanOrEqual,

    /// <summary>IS DISTINCT FROM</summary>
    IsDistinctFrom,

    /// <summary>IS NOT DISTINCT FROM</summary>
    IsNotDistinctFrom,
}

/// <summary>AND / OR.</summary>
/// <example><code>var op = LogicalOperator.And;</code></example>
public enum LogicalOperator
{
    /// <summary>AND</summary>
    And,

    /// <summary>OR</summary>
    Or,
}

/// <summary>Time units of window sizes and of date/time functions.</summary>
/// <example><code>var u = TimeUnit.Hours;</code></example>
public enum TimeUnit
{
    /// <summary>MILLISECOND(S)</summary>
    Milliseconds,

    /// <summary>SECOND(S)</summary>
    Seconds,

    /// <summary>MINUTE(S)</summary>
    Minutes,

    /// <summary>HOUR(S)</summary>
    Hours,

    /// <summary>DAY(S)</summary>
    Days,
}

/// <summary>Helpers for <see cref="TimeUnit"/>.</summary>
/// <example><code>long ms = TimeUnit.Minutes.ToMilliseconds(5); // 300000</code></example>
public static class TimeUnitExtensions
{
    /// <summary>Milliseconds in <paramref name="count"/> units.</summary>
    public static long ToMilliseconds(this TimeUnit unit, long count) => unit switch
    {
        TimeUnit.Milliseconds => count,
        TimeUnit.Seconds => count * 1000,
        TimeUnit.Minutes => count * 60_000,
        TimeUnit.Hours => count * 3_600_000,
        TimeUnit.Days => count * 86_400_000,
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };

    /// <summary>The SQL keyword (plural form), e.g. SECONDS.</summary>
    public static string SqlName(this TimeUnit unit) => unit switch
    {
        TimeUnit.Milliseconds => "MILLISECONDS",
        TimeUnit.Seconds => "SECONDS",
        TimeUnit.Minutes => "MINUTES",
        TimeUnit.Hours => "HOURS",
        TimeUnit.Days => "DAYS",
        _ => unit.ToString().ToUpperInvariant(),
    };
}
