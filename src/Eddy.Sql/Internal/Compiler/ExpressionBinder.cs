using System.Reflection;
using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Parsing;
using Eddy.Sql.Types;
using Linq = System.Linq.Expressions;
using LinqExpr = System.Linq.Expressions.Expression;

namespace Eddy.Sql.Internal.Compiler;

/// <summary>A typed expression and the code that computes it (in its <see cref="Repr"/> type).</summary>
internal readonly record struct Bound(SqlType? Type, LinqExpr Code, SqlExpression Source)
{
    public bool IsNull => Type is null;
}

/// <summary>How table function calls are bound.</summary>
internal enum BinderMode
{
    /// <summary>Code is compiled; table functions are errors.</summary>
    Compile,

    /// <summary>Only types matter; a table function types as one produced value.</summary>
    TypeOnly,

    /// <summary>A top-level table function call compiles to the ARRAY of its values.</summary>
    TableFunctionAsList,
}

/// <summary>
/// Type-checks a SQL expression against a scope and builds System.Linq.Expressions code for it, with
/// ksqlDB's semantics: comparisons with NULL are false, arithmetic with NULL is NULL, CASE is lazy,
/// implicit widening INT → BIGINT → DECIMAL → DOUBLE.
/// </summary>
internal sealed partial class ExpressionBinder
{
    private readonly FunctionRegistry _functions;
    private readonly IExpressionScope _scope;
    private readonly LinqExpr _row;
    private readonly string? _clause;
    private readonly BinderMode _mode;
    private readonly List<Dictionary<string, (LinqExpr Read, SqlType Type)>> _lambdaScopes = [];

    public ExpressionBinder(FunctionRegistry functions, IExpressionScope scope, LinqExpr row, string? clause, BinderMode mode)
    {
        _functions = functions;
        _scope = scope;
        _row = row;
        _clause = clause;
        _mode = mode;
    }

    public Bound Bind(SqlExpression e)
    {
        if (_scope.ResolveExpression(e) is { } pre && e is not Literal)
        {
            return new Bound(pre.Type, ReadColumn(pre), e);
        }

        try
        {
            return e switch
            {
                Literal l => BindLiteral(l),
                ColumnRef c => BindColumn(c),
                Dereference d => BindDereference(d),
                Subscript s => BindSubscript(s),
                FunctionCall f => BindFunction(f),
                Cast c => BindCast(c),
                ArithmeticUnary u => BindUnary(u),
                ArithmeticBinary b => BindArithmetic(b),
                Comparison c => BindComparison(c),
                LogicalBinary l => BindLogical(l),
                Not n => BindNot(n),
                IsNull n => BindIsNull(n),
                Between b => BindBetween(b),
                InList i => BindInList(i),
                Like l => BindLike(l),
                SearchedCase c => BindSearchedCase(c),
                SimpleCase c => BindSimpleCase(c),
                CreateArray a => BindArray(a),
                CreateMap m => BindMap(m),
                CreateStruct s => BindStruct(s),
                AtTimeZone a => BindAtTimeZone(a),
                LambdaFunction l => throw Error(l, $"A lambda ({l}) can only be an argument of a function such as TRANSFORM, FILTER or REDUCE."),
                IntervalUnitLiteral u => throw Error(u, $"The time unit {u.Unit.SqlName()} can only be an argument of a function such as TIMESTAMPADD."),
                _ => throw Error(e, $"Unsupported expression: {e}"),
            };
        }
        catch (SqlException ex) when (ex.Location is null && e.Location != default)
        {
            throw ex is CodeGenException ? new CodeGenException(ex.RawMessage, e.Location) : new SqlException(ex.RawMessage, e.Location);
        }
    }

    private static SqlException Error(SqlExpression at, string message) =>
        new(message, at.Location == default ? null : at.Location);

    private LinqExpr ReadColumn(ColumnBinding binding) =>
        Repr.Unbox(LinqExpr.ArrayIndex(_row, LinqExpr.Constant(binding.Index)), binding.Type);

    // ---- literals and names -----------------------------------------------------------------

    private static Bound BindLiteral(Literal l)
    {
        switch (l)
        {
            case NullLiteral:
                return new Bound(null, LinqExpr.Constant(null, typeof(object)), l);
            case BooleanLiteral b:
                return new Bound(SqlTypes.Boolean, LinqExpr.Constant(b.Value, typeof(bool?)), l);
            case IntegerLiteral i:
                return new Bound(SqlTypes.Integer, LinqExpr.Constant(i.Value, typeof(int?)), l);
            case BigIntLiteral bi:
                return new Bound(SqlTypes.BigInt, LinqExpr.Constant(bi.Value, typeof(long?)), l);
            case DoubleLiteral d:
                return new Bound(SqlTypes.Double, LinqExpr.Constant(d.Value, typeof(double?)), l);
            case StringLiteral s:
                return new Bound(SqlTypes.String, LinqExpr.Constant(s.Value, typeof(string)), l);
            case DecimalLiteral d:
            {
                var v = d.Value.Scale < 0 ? d.Value.SetScale(0) : d.Value;
                var type = DecimalLiteralType(v);
                return new Bound(type, LinqExpr.Constant(v, typeof(SqlDecimal?)), l);
            }

            case VariableLiteral v:
                throw Error(v, $"Undefined variable: ${{{v.Name}}}. Define it first with DEFINE {v.Name.ToLowerInvariant()} = '...';");
        }

        throw Error(l, $"Unsupported literal: {l}");
    }

    public static SqlDecimalType DecimalLiteralType(SqlDecimal v)
    {
        var scale = Math.Max(v.Scale, 0);
        var precision = v.Unscaled.IsZero ? scale + 1 : Math.Max(v.Precision, scale);
        return SqlTypes.Decimal(Math.Max(precision, 1), scale);
    }

    private Bound BindColumn(ColumnRef c)
    {
        if (c.Source is null)
        {
            for (var i = _lambdaScopes.Count - 1; i >= 0; i--)
            {
                if (_lambdaScopes[i].TryGetValue(c.Name, out var v))
                {
                    return new Bound(v.Type, v.Read, c);
                }
            }
        }

        var binding = _scope.ResolveColumn(c.Source, c.Name);
        if (binding is null)
        {
            throw UnknownColumn(c);
        }

        return new Bound(binding.Value.Type, ReadColumn(binding.Value), c);
    }

    private SqlException UnknownColumn(ColumnRef c)
    {
        var name = c.Source is null ? c.Name : c.Source + "." + c.Name;
        var message = _clause is null ? $"Column '{name}' cannot be resolved." : $"{_clause} column '{name}' cannot be resolved.";
        var candidates = _scope.ColumnNames.Concat(_lambdaScopes.SelectMany(s => s.Keys)).Distinct().ToArray();
        var suggestion = Suggest.Closest(c.Name, candidates);
        if (suggestion is not null)
        {
            message += $" Did you mean '{suggestion}'?";
        }
        else if (candidates.FirstOrDefault(n => string.Equals(n, c.Name, StringComparison.OrdinalIgnoreCase)) is { } caseMatch)
        {
            message += $" Did you mean '{caseMatch}'? Quoted names are case-sensitive.";
        }

        return Error(c, message);
    }

    private Bound BindDereference(Dereference d)
    {
        var b = Bind(d.Base);
        if (b.Type is not SqlStructType st)
        {
            throw Error(d, $"Cannot dereference {d.Base} ({b.Type?.ToString() ?? "NULL"}) with '->': only STRUCT values have fields.");
        }

        var index = st.IndexOf(d.Field);
        if (index < 0)
        {
            var suggestion = Suggest.Closest(d.Field, st.Fields.Select(f => f.Name));
            throw Error(d, $"Could not find field '{d.Field}' in '{d.Base}'." + (suggestion is null ? $" Its fields are: {string.Join(", ", st.Fields.Select(f => f.Name))}." : $" Did you mean '{suggestion}'?"));
        }

        var fieldType = st.Fields[index].Type;
        var call = LinqExpr.Call(Method(nameof(SqlRuntime.StructGet)), b.Code, LinqExpr.Constant(index));
        return new Bound(fieldType, Repr.Unbox(call, fieldType), d);
    }

    private Bound BindSubscript(Subscript s)
    {
        var b = Bind(s.Base);
        var index = Bind(s.Index);
        switch (b.Type)
        {
            case SqlArrayType a:
            {
                if (index.Type is not null && index.Type.BaseType is not (SqlBaseType.Integer or SqlBaseType.BigInt))
                {
                    throw Error(s, $"The index of {s} must be an INT, not {index.Type}.");
                }

                var i = index.Type is null ? LinqExpr.Constant(null, typeof(int?)) : Convert(index, SqlTypes.Integer, explicitCast: true);
                var call = LinqExpr.Call(Method(nameof(SqlRuntime.ArrayGet)), b.Code, i);
                return new Bound(a.ElementType, Repr.Unbox(call, a.ElementType), s);
            }

            case SqlMapType m:
            {
                if (index.Type is not null && !SqlTypes.CanImplicitlyCast(index.Type, m.KeyType) && !IsCoercibleLiteral(index, m.KeyType))
                {
                    throw Error(s, $"The key of {s} must be a {m.KeyType}, not {index.Type}.");
                }

                var key = Repr.Box(Convert(index, m.KeyType, explicitCast: false));
                var call = LinqExpr.Call(Method(nameof(SqlRuntime.MapGet)), b.Code, key);
                return new Bound(m.ValueType, Repr.Unbox(call, m.ValueType), s);
            }

            case SqlStructType:
                throw Error(s, $"Subscript expression ({s}) do not apply to {b.Type}. Use the dereference operator for STRUCTS: {s.Base}->{(s.Index is StringLiteral sl ? sl.Value : s.Index.ToString())}");
            default:
                throw Error(s, $"Subscript expression ({s}) do not apply to {b.Type?.ToString() ?? "NULL"}: only ARRAY and MAP values can be subscripted.");
        }
    }

    // ---- casts and conversions ---------------------------------------------------------------

    private Bound BindCast(Cast c)
    {
        var to = c.Type.Resolve(null);
        var b = Bind(c.Operand);
        return new Bound(to, Convert(b, to, explicitCast: true), c);
    }

    private static bool IsCoercibleLiteral(Bound b, SqlType to) =>
        b.Source is StringLiteral && (to.BaseType.IsNumber() || to.BaseType == SqlBaseType.Boolean || to.BaseType.IsTime());

    /// <summary>The code of <paramref name="b"/> converted to <paramref name="to"/>.</summary>
    public LinqExpr Convert(Bound b, SqlType to, bool explicitCast)
    {
        if (b.Type is null)
        {
            return Repr.NullOf(to);
        }

        if (b.Type.Equals(to))
        {
            return b.Code;
        }

        // String literals coerce to numbers, booleans and times at compile time (ksqlDB's literal coercion).
        if (!explicitCast && b.Source is StringLiteral sl && IsCoercibleLiteral(b, to))
        {
            try
            {
                var value = CompileTimeCast(sl.Value, to);
                return LinqExpr.Constant(value, Repr.Of(to));
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw Error(b.Source, $"invalid input syntax for type {to.BaseType.SqlName()}: \"{sl.Value}\"");
            }
        }

        return ConvertCode(b.Code, b.Type, to, explicitCast, b.Source);
    }

    private static object? CompileTimeCast(string text, SqlType to) => to switch
    {
        SqlDecimalType d => SqlRuntime.StringToDecimal(text, d.Precision, d.Scale),
        _ => to.BaseType switch
        {
            SqlBaseType.Integer => SqlRuntime.StringToInt(text),
            SqlBaseType.BigInt => SqlRuntime.StringToLong(text),
            SqlBaseType.Double => SqlRuntime.StringToDouble(text),
            SqlBaseType.Boolean => text.Trim().ToUpperInvariant() switch
            {
                "TRUE" => true,
                "FALSE" => false,
                _ => throw new FormatException(text),
            },
            SqlBaseType.Timestamp => SqlRuntime.StringToTimestamp(text),
            SqlBaseType.Date => SqlRuntime.StringToDate(text),
            SqlBaseType.Time => SqlRuntime.StringToTime(text),
            _ => throw new FormatException(text),
        },
    };

    private LinqExpr ConvertCode(LinqExpr code, SqlType from, SqlType to, bool explicitCast, SqlExpression? source)
    {
        if (from.Equals(to))
        {
            return code;
        }

        if (!explicitCast && !SqlTypes.CanImplicitlyCast(from, to) && !(from.BaseType.IsNumber() && to.BaseType == SqlBaseType.Decimal))
        {
            throw new SqlException($"Cannot implicitly convert {from} to {to}" + (source is null ? "." : $": {source}. Use CAST({source} AS {to})."));
        }

        var f = from.BaseType;
        var t = to.BaseType;
        switch (t)
        {
            case SqlBaseType.String:
                return f switch
                {
                    SqlBaseType.Decimal => LinqExpr.Call(Method(nameof(SqlRuntime.ToJavaString)), Repr.Box(code)),
                    SqlBaseType.Bytes => LinqExpr.Call(Method(nameof(SqlRuntime.BytesToString)), code),
                    _ => LinqExpr.Call(Method(nameof(SqlRuntime.ToJavaString)), Repr.Box(code)),
                };
            case SqlBaseType.Integer:
                return f switch
                {
                    SqlBaseType.BigInt => LinqExpr.Convert(code, typeof(int?)),
                    SqlBaseType.Double => LinqExpr.Call(Method(nameof(SqlRuntime.DoubleToInt)), code),
                    SqlBaseType.Decimal => LinqExpr.Call(Method(nameof(SqlRuntime.DecimalToInt)), code),
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToInt)), code),
                    _ => throw Unsupported(from, to),
                };
            case SqlBaseType.BigInt:
                return f switch
                {
                    SqlBaseType.Integer => LinqExpr.Convert(code, typeof(long?)),
                    SqlBaseType.Double => LinqExpr.Call(Method(nameof(SqlRuntime.DoubleToLong)), code),
                    SqlBaseType.Decimal => LinqExpr.Call(Method(nameof(SqlRuntime.DecimalToLong)), code),
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToLong)), code),
                    _ => throw Unsupported(from, to),
                };
            case SqlBaseType.Double:
                return f switch
                {
                    SqlBaseType.Integer or SqlBaseType.BigInt => LinqExpr.Convert(code, typeof(double?)),
                    SqlBaseType.Decimal => LinqExpr.Call(Method(nameof(SqlRuntime.DecimalToDouble)), code),
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToDouble)), code),
                    _ => throw Unsupported(from, to),
                };
            case SqlBaseType.Decimal:
            {
                var d = (SqlDecimalType)to;
                var p = LinqExpr.Constant(d.Precision);
                var s = LinqExpr.Constant(d.Scale);
                return f switch
                {
                    SqlBaseType.Integer => LinqExpr.Call(Method(nameof(SqlRuntime.IntToDecimal)), code, p, s),
                    SqlBaseType.BigInt => LinqExpr.Call(Method(nameof(SqlRuntime.LongToDecimal)), code, p, s),
                    SqlBaseType.Double => LinqExpr.Call(Method(nameof(SqlRuntime.DoubleToDecimal)), code, p, s),
                    SqlBaseType.Decimal => LinqExpr.Call(Method(nameof(SqlRuntime.DecimalToDecimal)), code, p, s),
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToDecimal)), code, p, s),
                    _ => throw Unsupported(from, to),
                };
            }

            case SqlBaseType.Boolean:
                return f == SqlBaseType.String ? LinqExpr.Call(Method(nameof(SqlRuntime.StringToBoolean)), code) : throw Unsupported(from, to);
            case SqlBaseType.Timestamp:
                return f switch
                {
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToTimestamp)), code),
                    SqlBaseType.Date => LinqExpr.Call(Method(nameof(SqlRuntime.DateToTimestamp)), code),
                    _ => throw Unsupported(from, to),
                };
            case SqlBaseType.Date:
                return f switch
                {
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToDate)), code),
                    SqlBaseType.Timestamp => LinqExpr.Call(Method(nameof(SqlRuntime.TimestampToDate)), code),
                    _ => throw Unsupported(from, to),
                };
            case SqlBaseType.Time:
                return f switch
                {
                    SqlBaseType.String => LinqExpr.Call(Method(nameof(SqlRuntime.StringToTime)), code),
                    SqlBaseType.Timestamp => LinqExpr.Call(Method(nameof(SqlRuntime.TimestampToTime)), code),
                    _ => throw Unsupported(from, to),
                };
            case SqlBaseType.Bytes:
                return f == SqlBaseType.String && explicitCast ? LinqExpr.Call(Method(nameof(SqlRuntime.StringToBytes)), code) : throw Unsupported(from, to);
            case SqlBaseType.Array:
            {
                if (from is not SqlArrayType fa)
                {
                    throw Unsupported(from, to);
                }

                var ta = (SqlArrayType)to;
                var element = ElementConverter(fa.ElementType, ta.ElementType, explicitCast, from, to);
                return LinqExpr.Call(Method(nameof(SqlRuntime.CastArray)), code, element);
            }

            case SqlBaseType.Map:
            {
                if (from is not SqlMapType fm)
                {
                    throw Unsupported(from, to);
                }

                var tm = (SqlMapType)to;
                var key = ElementConverter(fm.KeyType, tm.KeyType, explicitCast, from, to);
                var value = ElementConverter(fm.ValueType, tm.ValueType, explicitCast, from, to);
                return LinqExpr.Call(Method(nameof(SqlRuntime.CastMap)), code, key, value);
            }

            case SqlBaseType.Struct:
            {
                if (from is not SqlStructType fs)
                {
                    throw Unsupported(from, to);
                }

                var ts = (SqlStructType)to;
                var indexes = new int[ts.Fields.Count];
                var converters = new LinqExpr[ts.Fields.Count];
                for (var i = 0; i < indexes.Length; i++)
                {
                    var target = ts.Fields[i];
                    var src = fs.IndexOf(target.Name);
                    indexes[i] = src;
                    converters[i] = src < 0 || fs.Fields[src].Type.Equals(target.Type)
                        ? LinqExpr.Constant(null, typeof(Func<object?, object?>))
                        : ElementConverter(fs.Fields[src].Type, target.Type, explicitCast, from, to);
                }

                return LinqExpr.Call(
                    Method(nameof(SqlRuntime.CastStruct)),
                    code,
                    LinqExpr.Constant(ts),
                    LinqExpr.Constant(indexes),
                    LinqExpr.NewArrayInit(typeof(Func<object?, object?>), converters));
            }
        }

        throw Unsupported(from, to);
    }

    private Linq.Expression<Func<object?, object?>> ElementConverter(SqlType from, SqlType to, bool explicitCast, SqlType outerFrom, SqlType outerTo)
    {
        var p = LinqExpr.Parameter(typeof(object), "v");
        LinqExpr body;
        try
        {
            body = from.Equals(to) ? p : Repr.Box(ConvertCode(Repr.Unbox(p, from), from, to, explicitCast, null));
        }
        catch (SqlException)
        {
            throw Unsupported(outerFrom, outerTo);
        }

        return LinqExpr.Lambda<Func<object?, object?>>(body, p);
    }

    private static CodeGenException Unsupported(SqlType from, SqlType to) => new($"Cast of {from} to {to} is not supported", null);

    private static MethodInfo Method(string name) =>
        typeof(SqlRuntime).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new InvalidOperationException("missing runtime method " + name);

    // ---- arithmetic --------------------------------------------------------------------------

    private Bound BindUnary(ArithmeticUnary u)
    {
        var v = Bind(u.Operand);
        if (v.Type is null)
        {
            return v with { Source = u };
        }

        if (!v.Type.BaseType.IsNumber())
        {
            throw Error(u, $"Unary {(u.Sign == ArithmeticSign.Minus ? "minus" : "plus")} needs a number, but {u.Operand} is {v.Type}.");
        }

        if (u.Sign == ArithmeticSign.Plus)
        {
            return v with { Source = u };
        }

        LinqExpr code = v.Type.BaseType == SqlBaseType.Decimal
            ? LinqExpr.Call(Method(nameof(SqlRuntime.DecimalNegate)), v.Code)
            : LinqExpr.Negate(v.Code);
        return new Bound(v.Type, code, u);
    }

    private Bound BindArithmetic(ArithmeticBinary b)
    {
        if (b.Operator == ArithmeticOperator.Concat)
        {
            return BindFunction(new FunctionCall("CONCAT", new[] { b.Left, b.Right }) { Location = b.Location }) with { Source = b };
        }

        var l = Bind(b.Left);
        var r = Bind(b.Right);
        var lt = l.Type ?? r.Type;
        var rt = r.Type ?? l.Type;
        if (lt is null || rt is null)
        {
            throw Error(b, $"Can't infer the type of {b}: both operands are NULL. Cast one of them, e.g. CAST(NULL AS INT).");
        }

        var type = ArithmeticResultType(b.Operator, lt, rt)
            ?? throw Error(b, $"Error processing expression: {b}. Unsupported arithmetic types. {lt.BaseType.SqlName()} {rt.BaseType.SqlName()}");

        if (type.BaseType == SqlBaseType.String)
        {
            var concat = LinqExpr.Call(typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!, Convert(l, type, false), Convert(r, type, false));
            var ls = LinqExpr.Variable(typeof(string));
            var rs = LinqExpr.Variable(typeof(string));
            return new Bound(type, LinqExpr.Block(
                typeof(string),
                [ls, rs],
                LinqExpr.Assign(ls, Convert(l, type, false)),
                LinqExpr.Assign(rs, Convert(r, type, false)),
                LinqExpr.Condition(
                    LinqExpr.OrElse(LinqExpr.Equal(ls, LinqExpr.Constant(null, typeof(string))), LinqExpr.Equal(rs, LinqExpr.Constant(null, typeof(string)))),
                    LinqExpr.Constant(null, typeof(string)),
                    LinqExpr.Call(typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!, ls, rs))), b);
        }

        if (type is SqlDecimalType dt)
        {
            var ld = Convert(l with { Type = l.Type }, SqlTypes.AsDecimal(lt)!, false);
            var rd = Convert(r with { Type = r.Type }, SqlTypes.AsDecimal(rt)!, false);
            var name = b.Operator switch
            {
                ArithmeticOperator.Add => nameof(SqlRuntime.DecimalAdd),
                ArithmeticOperator.Subtract => nameof(SqlRuntime.DecimalSubtract),
                ArithmeticOperator.Multiply => nameof(SqlRuntime.DecimalMultiply),
                ArithmeticOperator.Divide => nameof(SqlRuntime.DecimalDivide),
                _ => nameof(SqlRuntime.DecimalRemainder),
            };
            return new Bound(type, LinqExpr.Call(Method(name), ld, rd, LinqExpr.Constant(dt.Precision), LinqExpr.Constant(dt.Scale)), b);
        }

        var left = Convert(l, type, false);
        var right = Convert(r, type, false);
        LinqExpr result = b.Operator switch
        {
            ArithmeticOperator.Add => LinqExpr.Add(left, right),
            ArithmeticOperator.Subtract => LinqExpr.Subtract(left, right),
            ArithmeticOperator.Multiply => LinqExpr.Multiply(left, right),
            ArithmeticOperator.Divide => type.BaseType switch
            {
                SqlBaseType.Integer => LinqExpr.Call(Method(nameof(SqlRuntime.IntDivide)), left, right),
                SqlBaseType.BigInt => LinqExpr.Call(Method(nameof(SqlRuntime.LongDivide)), left, right),
                _ => LinqExpr.Divide(left, right),
            },
            _ => type.BaseType switch
            {
                SqlBaseType.Integer => LinqExpr.Call(Method(nameof(SqlRuntime.IntRemainder)), left, right),
                SqlBaseType.BigInt => LinqExpr.Call(Method(nameof(SqlRuntime.LongRemainder)), left, right),
                _ => LinqExpr.Modulo(left, right),
            },
        };
        return new Bound(type, result, b);
    }

    public static SqlType? ArithmeticResultType(ArithmeticOperator op, SqlType l, SqlType r)
    {
        if (op == ArithmeticOperator.Add && l.BaseType == SqlBaseType.String && r.BaseType == SqlBaseType.String)
        {
            return SqlTypes.String;
        }

        if (!l.BaseType.IsNumber() || !r.BaseType.IsNumber())
        {
            return null;
        }

        if (l.BaseType == SqlBaseType.Double || r.BaseType == SqlBaseType.Double)
        {
            return SqlTypes.Double;
        }

        if (l.BaseType == SqlBaseType.Decimal || r.BaseType == SqlBaseType.Decimal)
        {
            var ld = SqlTypes.AsDecimal(l)!;
            var rd = SqlTypes.AsDecimal(r)!;
            return op switch
            {
                ArithmeticOperator.Add or ArithmeticOperator.Subtract => SqlTypes.DecimalAdd(ld, rd),
                ArithmeticOperator.Multiply => SqlTypes.DecimalMultiply(ld, rd),
                ArithmeticOperator.Divide => SqlTypes.DecimalDivide(ld, rd),
                _ => SqlTypes.DecimalModulus(ld, rd),
            };
        }

        return l.BaseType == SqlBaseType.BigInt || r.BaseType == SqlBaseType.BigInt ? SqlTypes.BigInt : SqlTypes.Integer;
    }
}

/// <summary>
/// An expression that type-checks but cannot be compiled (e.g. an unsupported CAST); ksqlDB reports
/// these from code generation, prefixed with the clause ("Invalid Select: ...").
/// </summary>
internal sealed class CodeGenException(string message, SourceLocation? location) : SqlException(message, location);
