using System.Linq.Expressions;
using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Compiler;
using Eddy.Sql.Types;

namespace Eddy.Sql.Expressions;

/// <summary>
/// Compiles SQL expressions to delegates (System.Linq.Expressions → IL) over a row array, once per
/// query. Evaluation calls straight into typed code: no interpretation, no reflection, no LINQ. An
/// expression that fails on a row (division by zero, a bad cast) yields NULL for that row (a filter:
/// false) and reports the failure to <see cref="ProcessingError"/> handler, as ksqlDB does.
/// </summary>
/// <example>
/// <code>
/// var compiler = new ExpressionCompiler(new FunctionRegistry());
/// var scope = new RowScope([new("NAME", SqlTypes.String), new("AGE", SqlTypes.Integer)]);
/// var upper = compiler.Compile(SqlParser.ParseExpression("UCASE(name) || '!'"), scope);
/// Console.WriteLine(upper.Evaluate(["ada", 36])); // ADA!
/// var adult = compiler.CompilePredicate(SqlParser.ParseExpression("age >= 18"), scope);
/// Console.WriteLine(adult.Test(["ada", 36]));     // True
/// </code>
/// </example>
public sealed class ExpressionCompiler
{
    private readonly Action<ProcessingError>? _onError;

    /// <summary>Creates a compiler over a function registry; <paramref name="onError"/> receives per-row failures.</summary>
    public ExpressionCompiler(FunctionRegistry functions, Action<ProcessingError>? onError = null)
    {
        Functions = functions;
        _onError = onError;
    }

    /// <summary>The functions expressions may call.</summary>
    public FunctionRegistry Functions { get; }

    /// <summary>
    /// Builds interpreted delegates instead of JIT-compiled ones: far cheaper to build, slower per row.
    /// For expressions evaluated a few times only, such as a pull query's WHERE and projection.
    /// </summary>
    /// <example><code>var compiler = new ExpressionCompiler(functions) { Interpret = true };</code></example>
    public bool Interpret { get; init; }

    /// <summary>
    /// The type of an expression in a scope (null for an untyped NULL literal). Throws
    /// <see cref="SqlException"/> for unknown columns, type errors and the like. Table function calls
    /// type as the type of one produced value.
    /// </summary>
    public SqlType? TypeOf(SqlExpression expression, IExpressionScope scope, string? clause = null)
    {
        var row = Expression.Parameter(typeof(object?[]), "row");
        return new ExpressionBinder(Functions, scope, row, clause, BinderMode.TypeOnly).Bind(expression).Type;
    }

    /// <summary>Compiles an expression. <paramref name="clause"/> (e.g. "SELECT", "WHERE") names it in error messages.</summary>
    public CompiledExpression Compile(SqlExpression expression, IExpressionScope scope, string? clause = null)
    {
        var row = Expression.Parameter(typeof(object?[]), "row");
        var bound = new ExpressionBinder(Functions, scope, row, clause, BinderMode.Compile).Bind(expression);
        var type = bound.Type ?? throw new SqlException(
            "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).",
            expression.Location == default ? null : expression.Location);
        var body = Guard(Repr.Box(bound.Code), expression, Expression.Constant(null, typeof(object)));
        var fn = Expression.Lambda<Func<object?[], object?>>(body, row).Compile(Interpret);
        return new CompiledExpression(expression, type, fn);
    }

    /// <summary>
    /// Compiles a table function call (e.g. <c>EXPLODE(items)</c>, arguments may be any expressions)
    /// to a delegate returning the list of values it produces for a row (empty for none).
    /// </summary>
    public CompiledExpression CompileTableFunction(FunctionCall call, IExpressionScope scope, string? clause = null)
    {
        if (!Functions.IsTableFunction(call.Name))
        {
            throw new SqlException($"{call.Name} is not a table function.", call.Location == default ? null : call.Location);
        }

        var row = Expression.Parameter(typeof(object?[]), "row");
        var bound = new ExpressionBinder(Functions, scope, row, clause, BinderMode.TableFunctionAsList).Bind(call);
        var empty = Expression.Constant(null, typeof(object));
        var body = Guard(Repr.Box(bound.Code), call, empty);
        var fn = Expression.Lambda<Func<object?[], object?>>(body, row).Compile(Interpret);
        return new CompiledExpression(call, ((SqlArrayType)bound.Type!).ElementType, fn);
    }

    /// <summary>Compiles a BOOLEAN expression as a predicate: NULL and failures count as false.</summary>
    public CompiledPredicate CompilePredicate(SqlExpression expression, IExpressionScope scope, string? clause = null)
    {
        var row = Expression.Parameter(typeof(object?[]), "row");
        var bound = new ExpressionBinder(Functions, scope, row, clause, BinderMode.Compile).Bind(expression);
        if (bound.Type is not null && bound.Type.BaseType != SqlBaseType.Boolean)
        {
            var where = clause is null ? string.Empty : $" in {clause} expression";
            throw new SqlException(
                $"Type error{where}: Should evaluate to boolean but is {expression} ({bound.Type}) instead.",
                expression.Location == default ? null : expression.Location);
        }

        Expression test = bound.Type is null
            ? Expression.Constant(false)
            : Expression.Equal(bound.Code, Expression.Constant(true, typeof(bool?)));
        var body = Guard(test, expression, Expression.Constant(false));
        var fn = Expression.Lambda<Func<object?[], bool>>(body, row).Compile(Interpret);
        return new CompiledPredicate(expression, fn);
    }

    /// <summary>
    /// Compiles several expressions into one delegate that fills an output row (one call per input
    /// row, each expression guarded on its own).
    /// </summary>
    public CompiledProjection CompileProjection(IReadOnlyList<SqlExpression> expressions, IExpressionScope scope, string? clause = null)
    {
        var row = Expression.Parameter(typeof(object?[]), "row");
        var output = Expression.Parameter(typeof(object?[]), "output");
        var binder = new ExpressionBinder(Functions, scope, row, clause, BinderMode.Compile);
        var types = new SqlType[expressions.Count];
        var statements = new List<Expression>(expressions.Count + 1);
        for (var i = 0; i < expressions.Count; i++)
        {
            var bound = binder.Bind(expressions[i]);
            types[i] = bound.Type ?? throw new SqlException(
                "Can't infer a type of null. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).",
                expressions[i].Location == default ? null : expressions[i].Location);
            var value = Guard(Repr.Box(bound.Code), expressions[i], Expression.Constant(null, typeof(object)));
            statements.Add(Expression.Assign(Expression.ArrayAccess(output, Expression.Constant(i)), value));
        }

        statements.Add(Expression.Empty());
        var fn = Expression.Lambda<Action<object?[], object?[]>>(Expression.Block(statements), row, output).Compile(Interpret);
        return new CompiledProjection(expressions, types, fn);
    }

    private TryExpression Guard(Expression body, SqlExpression source, Expression fallback)
    {
        var ex = Expression.Parameter(typeof(Exception), "e");
        Expression handler = _onError is null
            ? fallback
            : Expression.Block(
                Expression.Invoke(Expression.Constant(_onError), Expression.New(
                    typeof(ProcessingError).GetConstructor([typeof(string), typeof(Exception)])!,
                    Expression.Constant(source.ToString()),
                    ex)),
                fallback);
        return Expression.TryCatch(body, Expression.Catch(ex, handler));
    }
}

/// <summary>A failure evaluating an expression on one row (the row's value became NULL).</summary>
/// <param name="Expression">The expression, as SQL.</param>
/// <param name="Exception">What went wrong.</param>
/// <example><code>var compiler = new ExpressionCompiler(functions, e => log.LogWarning(e.Exception, "{Expr}", e.Expression));</code></example>
public sealed record ProcessingError(string Expression, Exception Exception);

/// <summary>A compiled expression: its type and a delegate from a row array to the value.</summary>
/// <example><code>object? v = compiled.Evaluate(row);</code></example>
public sealed class CompiledExpression
{
    internal CompiledExpression(SqlExpression expression, SqlType type, Func<object?[], object?> evaluate)
    {
        Expression = expression;
        Type = type;
        Delegate = evaluate;
    }

    /// <summary>The source expression.</summary>
    public SqlExpression Expression { get; }

    /// <summary>The result type.</summary>
    public SqlType Type { get; }

    /// <summary>The compiled delegate.</summary>
    public Func<object?[], object?> Delegate { get; }

    /// <summary>Evaluates on a row.</summary>
    public object? Evaluate(object?[] row) => Delegate(row);
}

/// <summary>A compiled boolean expression.</summary>
/// <example><code>if (predicate.Test(row)) forward(row);</code></example>
public sealed class CompiledPredicate
{
    internal CompiledPredicate(SqlExpression expression, Func<object?[], bool> test)
    {
        Expression = expression;
        Delegate = test;
    }

    /// <summary>The source expression.</summary>
    public SqlExpression Expression { get; }

    /// <summary>The compiled delegate.</summary>
    public Func<object?[], bool> Delegate { get; }

    /// <summary>True when the expression is TRUE for the row (NULL and errors are false).</summary>
    public bool Test(object?[] row) => Delegate(row);
}

/// <summary>Several compiled expressions evaluated together into an output row.</summary>
/// <example>
/// <code>
/// var output = new object?[projection.Types.Count];
/// projection.Evaluate(input, output);
/// </code>
/// </example>
public sealed class CompiledProjection
{
    internal CompiledProjection(IReadOnlyList<SqlExpression> expressions, IReadOnlyList<SqlType> types, Action<object?[], object?[]> evaluate)
    {
        Expressions = expressions;
        Types = types;
        Delegate = evaluate;
    }

    /// <summary>The source expressions.</summary>
    public IReadOnlyList<SqlExpression> Expressions { get; }

    /// <summary>The type of each output value.</summary>
    public IReadOnlyList<SqlType> Types { get; }

    /// <summary>The compiled delegate (input row, output row).</summary>
    public Action<object?[], object?[]> Delegate { get; }

    /// <summary>Fills <paramref name="output"/> (at least <see cref="Types"/>.Count long) from <paramref name="input"/>.</summary>
    public void Evaluate(object?[] input, object?[] output) => Delegate(input, output);

    /// <summary>Evaluates into a new array.</summary>
    public object?[] Evaluate(object?[] input)
    {
        var output = new object?[Types.Count];
        Delegate(input, output);
        return output;
    }
}
