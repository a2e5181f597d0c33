using Eddy.Sql.Ast;
using Eddy.Sql.Types;
using LinqExpr = System.Linq.Expressions.Expression;

namespace Eddy.Sql.Internal.Compiler;

internal sealed partial class ExpressionBinder
{
    private static System.Linq.Expressions.UnaryExpression AsNullableBool(LinqExpr condition) => LinqExpr.Convert(condition, typeof(bool?));

    private static string JavaOperatorName(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "EQUAL",
        ComparisonOperator.NotEqual => "NOT_EQUAL",
        ComparisonOperator.LessThan => "LESS_THAN",
        ComparisonOperator.LessThanOrEqual => "LESS_THAN_OR_EQUAL",
        ComparisonOperator.GreaterThan => "GREATER_THAN",
        ComparisonOperator.GreaterThanOrEqual => "GREATER_THAN_OR_EQUAL",
        ComparisonOperator.IsDistinctFrom => "IS_DISTINCT_FROM",
        _ => "IS_NOT_DISTINCT_FROM",
    };

    private Bound BindComparison(Comparison c)
    {
        var l = Bind(c.Left);
        var r = Bind(c.Right);
        return new Bound(SqlTypes.Boolean, AsNullableBool(CompareCode(l, r, c.Operator, c)), c);
    }

    /// <summary>The common type two values compare in, or null when they cannot be compared with <paramref name="op"/>.</summary>
    private static SqlType? ComparisonType(Bound l, Bound r, ComparisonOperator op)
    {
        var lt = l.Type!;
        var rt = r.Type!;
        var equality = op is ComparisonOperator.Equal or ComparisonOperator.NotEqual or ComparisonOperator.IsDistinctFrom or ComparisonOperator.IsNotDistinctFrom;
        if (lt.BaseType.IsNumber() && rt.BaseType.IsNumber())
        {
            if (lt.BaseType == SqlBaseType.Double || rt.BaseType == SqlBaseType.Double)
            {
                return SqlTypes.Double;
            }

            if (lt.BaseType == SqlBaseType.Decimal || rt.BaseType == SqlBaseType.Decimal)
            {
                return SqlTypes.WidenDecimal(lt, rt);
            }

            return lt.BaseType == SqlBaseType.BigInt || rt.BaseType == SqlBaseType.BigInt ? SqlTypes.BigInt : SqlTypes.Integer;
        }

        if (lt.BaseType == rt.BaseType)
        {
            return lt.BaseType switch
            {
                SqlBaseType.Boolean => equality ? lt : null,
                SqlBaseType.Array or SqlBaseType.Map or SqlBaseType.Struct => equality && (lt.Equals(rt) || SqlTypes.CommonType(lt, rt) is not null) ? SqlTypes.CommonType(lt, rt) : null,
                _ => lt,
            };
        }

        if (lt.BaseType.IsTime() && rt.BaseType == SqlBaseType.String)
        {
            return lt;
        }

        if (rt.BaseType.IsTime() && lt.BaseType == SqlBaseType.String)
        {
            return rt;
        }

        if ((lt.BaseType, rt.BaseType) is (SqlBaseType.Date, SqlBaseType.Timestamp) or (SqlBaseType.Timestamp, SqlBaseType.Date))
        {
            return SqlTypes.Timestamp;
        }

        return null;
    }

    private LinqExpr CompareCode(Bound l, Bound r, ComparisonOperator op, SqlExpression source)
    {
        var distinct = op is ComparisonOperator.IsDistinctFrom or ComparisonOperator.IsNotDistinctFrom;
        if (l.Type is null || r.Type is null)
        {
            if (!distinct)
            {
                return LinqExpr.Constant(false);
            }

            // x IS [NOT] DISTINCT FROM NULL is x IS [NOT] NULL.
            var other = l.Type is null ? r : l;
            var isNull = other.Type is null ? (LinqExpr)LinqExpr.Constant(true) : LinqExpr.Equal(other.Code, LinqExpr.Constant(null, other.Code.Type));
            return op == ComparisonOperator.IsDistinctFrom ? LinqExpr.Not(isNull) : isNull;
        }

        var type = ComparisonType(l, r, op)
            ?? throw Error(source, $"Cannot compare {l.Source} ({l.Type}) to {r.Source} ({r.Type}) with {JavaOperatorName(op)}.");
        var a = Convert(l, type, explicitCast: false);
        var b = Convert(r, type, explicitCast: false);
        if (distinct)
        {
            LinqExpr call = LinqExpr.Call(Method(nameof(SqlRuntime.IsDistinct)), Repr.Box(a), Repr.Box(b));
            return op == ComparisonOperator.IsDistinctFrom ? call : LinqExpr.Not(call);
        }

        var repr = a.Type;
        if (type.BaseType is SqlBaseType.Array or SqlBaseType.Map or SqlBaseType.Struct or SqlBaseType.Bytes)
        {
            if (type.BaseType == SqlBaseType.Bytes && op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual))
            {
                return LinqExpr.Call(Method(nameof(SqlRuntime.CompareValues)), Repr.Box(a), Repr.Box(b), LinqExpr.Constant(OpCode(op)));
            }

            LinqExpr eq = LinqExpr.Call(Method(nameof(SqlRuntime.EqualsValues)), Repr.Box(a), Repr.Box(b));
            if (op == ComparisonOperator.NotEqual)
            {
                // NULL on either side compares false, for <> too.
                eq = LinqExpr.AndAlso(
                    LinqExpr.AndAlso(LinqExpr.NotEqual(a, LinqExpr.Constant(null, repr)), LinqExpr.NotEqual(b, LinqExpr.Constant(null, repr))),
                    LinqExpr.Not(eq));
            }

            return eq;
        }

        var va = LinqExpr.Variable(repr, "a");
        var vb = LinqExpr.Variable(repr, "b");
        LinqExpr bothPresent;
        LinqExpr x;
        LinqExpr y;
        if (repr == typeof(string))
        {
            bothPresent = LinqExpr.AndAlso(LinqExpr.NotEqual(va, LinqExpr.Constant(null, repr)), LinqExpr.NotEqual(vb, LinqExpr.Constant(null, repr)));
            x = LinqExpr.Call(typeof(string).GetMethod(nameof(string.CompareOrdinal), [typeof(string), typeof(string)])!, va, vb);
            y = LinqExpr.Constant(0);
        }
        else
        {
            bothPresent = LinqExpr.AndAlso(LinqExpr.Property(va, "HasValue"), LinqExpr.Property(vb, "HasValue"));
            x = LinqExpr.Property(va, "Value");
            y = LinqExpr.Property(vb, "Value");
            if (repr == typeof(SqlDecimal?))
            {
                x = LinqExpr.Call(x, typeof(SqlDecimal).GetMethod(nameof(SqlDecimal.CompareTo), [typeof(SqlDecimal)])!, y);
                y = LinqExpr.Constant(0);
            }
            else if (repr == typeof(bool?))
            {
                x = LinqExpr.Convert(x, typeof(int));
                y = LinqExpr.Convert(y, typeof(int));
            }
        }

        LinqExpr compare = op switch
        {
            ComparisonOperator.Equal => LinqExpr.Equal(x, y),
            ComparisonOperator.NotEqual => LinqExpr.NotEqual(x, y),
            ComparisonOperator.LessThan => LinqExpr.LessThan(x, y),
            ComparisonOperator.LessThanOrEqual => LinqExpr.LessThanOrEqual(x, y),
            ComparisonOperator.GreaterThan => LinqExpr.GreaterThan(x, y),
            _ => LinqExpr.GreaterThanOrEqual(x, y),
        };
        return LinqExpr.Block(typeof(bool), [va, vb], LinqExpr.Assign(va, a), LinqExpr.Assign(vb, b), LinqExpr.AndAlso(bothPresent, compare));
    }

    private static int OpCode(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => 0,
        ComparisonOperator.NotEqual => 1,
        ComparisonOperator.LessThan => 2,
        ComparisonOperator.LessThanOrEqual => 3,
        ComparisonOperator.GreaterThan => 4,
        _ => 5,
    };

    private LinqExpr BooleanOperand(SqlExpression e, string what)
    {
        var b = Bind(e);
        if (b.Type is not null && b.Type.BaseType != SqlBaseType.Boolean)
        {
            throw Error(e, $"The operand of {what} must be BOOLEAN, but {e} is {b.Type}.");
        }

        return Convert(b, SqlTypes.Boolean, false);
    }

    private Bound BindLogical(LogicalBinary l)
    {
        var what = l.Operator == LogicalOperator.And ? "AND" : "OR";
        var a = BooleanOperand(l.Left, what);
        var b = BooleanOperand(l.Right, what);
        var va = LinqExpr.Variable(typeof(bool?), "l");
        var vb = LinqExpr.Variable(typeof(bool?), "r");
        var decisive = LinqExpr.Constant(l.Operator == LogicalOperator.Or, typeof(bool?));
        var nullBool = LinqExpr.Constant(null, typeof(bool?));

        // Kleene logic, short-circuit: AND is false if either side is false, OR true if either is true,
        // otherwise NULL if either is NULL.
        var code = LinqExpr.Block(
            typeof(bool?),
            [va, vb],
            LinqExpr.Assign(va, a),
            LinqExpr.Condition(
                LinqExpr.Equal(va, decisive),
                decisive,
                LinqExpr.Block(
                    typeof(bool?),
                    LinqExpr.Assign(vb, b),
                    LinqExpr.Condition(
                        LinqExpr.Equal(vb, decisive),
                        decisive,
                        LinqExpr.Condition(
                            LinqExpr.OrElse(LinqExpr.Equal(va, nullBool), LinqExpr.Equal(vb, nullBool)),
                            nullBool,
                            LinqExpr.Constant(l.Operator == LogicalOperator.And, typeof(bool?)))))));
        return new Bound(SqlTypes.Boolean, code, l);
    }

    private Bound BindNot(Not n)
    {
        var v = BooleanOperand(n.Operand, "NOT");
        return new Bound(SqlTypes.Boolean, LinqExpr.Call(Method(nameof(SqlRuntime.Not)), v), n);
    }

    private Bound BindIsNull(IsNull n)
    {
        var v = Bind(n.Operand);
        LinqExpr isNull = v.Type is null ? LinqExpr.Constant(true) : LinqExpr.Equal(v.Code, LinqExpr.Constant(null, v.Code.Type));
        return new Bound(SqlTypes.Boolean, AsNullableBool(n.Negated ? LinqExpr.Not(isNull) : isNull), n);
    }

    private Bound BindBetween(Between b)
    {
        var v = Bind(b.Value);
        var min = Bind(b.Min);
        var max = Bind(b.Max);
        var value = v;
        LinqExpr? setup = null;
        System.Linq.Expressions.ParameterExpression? temp = null;
        if (v.Type is not null)
        {
            // Evaluate the value once.
            temp = LinqExpr.Variable(v.Code.Type, "v");
            setup = LinqExpr.Assign(temp, v.Code);
            value = v with { Code = temp };
        }

        var lower = CompareCode(value, min, ComparisonOperator.GreaterThanOrEqual, b);
        var upper = CompareCode(value, max, ComparisonOperator.LessThanOrEqual, b);
        LinqExpr both = LinqExpr.AndAlso(lower, upper);
        if (b.Negated)
        {
            both = LinqExpr.Not(both);
        }

        var code = temp is null ? both : LinqExpr.Block(typeof(bool), [temp], setup!, both);
        return new Bound(SqlTypes.Boolean, AsNullableBool(code), b);
    }

    private Bound BindInList(InList i)
    {
        var v = Bind(i.Value);
        var items = i.Items.Select(Bind).ToList();

        // ksqlDB's coercion: the value's type (or the first typed item that is not a string literal) leads;
        // string literals parse as it, other literals become strings when it is STRING, and every other
        // item must widen with it.
        var common = v.Type
            ?? items.Where(x => x.Type is not null && x.Source is not StringLiteral).Select(x => x.Type).FirstOrDefault()
            ?? items.Where(x => x.Type is not null).Select(x => x.Type).FirstOrDefault();
        foreach (var item in items)
        {
            if (item.Type is null || common is null)
            {
                continue;
            }

            if (item.Source is StringLiteral sl && common.BaseType != SqlBaseType.String)
            {
                if (common.BaseType.IsNumber() || common.BaseType == SqlBaseType.Boolean || common.BaseType.IsTime())
                {
                    try
                    {
                        _ = InListLiteral(sl.Value, common);
                    }
                    catch (Exception e) when (e is FormatException or OverflowException or SqlException)
                    {
                        throw Error(item.Source, $"Invalid Predicate: invalid input syntax for type {common.BaseType.SqlName()}: \"{sl.Value}\".");
                    }

                    continue;
                }
            }

            if (common.BaseType == SqlBaseType.String && item.Source is Literal)
            {
                continue;
            }

            var next = item.Type.Equals(common) ? common : SqlTypes.CommonType(common, item.Type);
            if (next is null || (next.BaseType != common.BaseType && !(next.BaseType.IsNumber() && common.BaseType.IsNumber())))
            {
                throw Error(item.Source, $"Invalid Predicate: operator does not exist: {common} = {item.Type} ({item.Source})\nHint: You might need to add explicit type casts.");
            }

            common = next;
        }

        for (var k = 0; k < items.Count; k++)
        {
            var item = items[k];
            if (item.Type is null || common is null || item.Type.Equals(common))
            {
                continue;
            }

            if (item.Source is StringLiteral sl2 && common.BaseType != SqlBaseType.String)
            {
                items[k] = new Bound(common, LinqExpr.Constant(InListLiteral(sl2.Value, common), Repr.Of(common)), item.Source);
            }
            else if (common.BaseType == SqlBaseType.String && item.Source is Literal lit)
            {
                var text = lit switch
                {
                    BooleanLiteral b => b.Value ? "true" : "false",
                    _ => lit.ToString(),
                };
                items[k] = new Bound(common, LinqExpr.Constant(text, typeof(string)), item.Source);
            }
        }

        if (v.Type is null || common is null)
        {
            return new Bound(SqlTypes.Boolean, AsNullableBool(LinqExpr.Constant(i.Negated)), i);
        }

        var value = Convert(v, common, false);
        var temp = LinqExpr.Variable(value.Type, "v");
        LinqExpr test;
        if (items.All(x => x.Source is Literal))
        {
            var set = new HashSet<object>(SqlValueComparer.Instance);
            foreach (var item in items)
            {
                if (item.Type is null)
                {
                    continue;
                }

                var constant = Convert(item, common, false);
                var boxed = LinqExpr.Lambda<Func<object?>>(Repr.Box(constant)).Compile()();
                if (boxed is not null)
                {
                    set.Add(boxed);
                }
            }

            var boxedValue = LinqExpr.Variable(typeof(object), "b");
            test = LinqExpr.Block(
                typeof(bool),
                [boxedValue],
                LinqExpr.Assign(boxedValue, Repr.Box(temp)),
                LinqExpr.AndAlso(
                    LinqExpr.NotEqual(boxedValue, LinqExpr.Constant(null)),
                    LinqExpr.Call(LinqExpr.Constant(set), typeof(HashSet<object>).GetMethod(nameof(HashSet<object>.Contains))!, boxedValue)));
        }
        else
        {
            test = LinqExpr.Constant(false);
            for (var k = items.Count - 1; k >= 0; k--)
            {
                if (items[k].Type is null)
                {
                    continue;
                }

                var eq = CompareCode(new Bound(common, temp, i.Value), items[k], ComparisonOperator.Equal, i);
                test = LinqExpr.OrElse(eq, test);
            }
        }

        LinqExpr result = LinqExpr.Block(typeof(bool), [temp], LinqExpr.Assign(temp, value), test);
        if (i.Negated)
        {
            result = LinqExpr.Not(result);
        }

        return new Bound(SqlTypes.Boolean, AsNullableBool(result), i);
    }

    /// <summary>A string literal of an IN list read as the list's type (booleans accept prefixes of true/false/yes/no, as ksqlDB).</summary>
    private static object? InListLiteral(string text, SqlType type)
    {
        if (type.BaseType == SqlBaseType.Boolean)
        {
            var t = text.Trim().ToLowerInvariant();
            if (t.Length > 0 && ("true".StartsWith(t, StringComparison.Ordinal) || "yes".StartsWith(t, StringComparison.Ordinal)))
            {
                return true;
            }

            if (t.Length > 0 && ("false".StartsWith(t, StringComparison.Ordinal) || "no".StartsWith(t, StringComparison.Ordinal)))
            {
                return false;
            }

            throw new FormatException(text);
        }

        return CompileTimeCast(text, type);
    }

    private Bound BindLike(Like l)
    {
        var v = Bind(l.Value);
        var p = Bind(l.Pattern);
        foreach (var (b, what) in new[] { (v, "value"), (p, "pattern") })
        {
            if (b.Type is not null && b.Type.BaseType != SqlBaseType.String)
            {
                throw Error(l, $"LIKE needs a STRING {what}, but {b.Source} is {b.Type}.");
            }
        }

        LinqExpr code = LinqExpr.Call(
            Method(nameof(SqlRuntime.Like)),
            Convert(v, SqlTypes.String, false),
            Convert(p, SqlTypes.String, false),
            LinqExpr.Constant(l.Escape ?? '\0'),
            LinqExpr.Constant(l.Escape is not null));
        if (l.Negated)
        {
            code = LinqExpr.Not(code);
        }

        return new Bound(SqlTypes.Boolean, AsNullableBool(code), l);
    }

    private Bound BindSearchedCase(SearchedCase c)
    {
        var conditions = new List<LinqExpr>();
        var results = new List<Bound>();
        foreach (var w in c.WhenClauses)
        {
            var cond = Bind(w.Condition);
            if (cond.Type is not null && cond.Type.BaseType != SqlBaseType.Boolean)
            {
                throw Error(w.Condition, $"WHEN operand type should be boolean.{Environment.NewLine}Type for '{w.Condition}' is {cond.Type}");
            }

            conditions.Add(Convert(cond, SqlTypes.Boolean, false));
            results.Add(Bind(w.Result));
        }

        var elseResult = c.Else is null ? (Bound?)null : Bind(c.Else);
        return BuildCase(c, conditions, results, elseResult);
    }

    private Bound BindSimpleCase(SimpleCase c)
    {
        var operand = Bind(c.Operand);
        var temp = operand.Type is null ? null : LinqExpr.Variable(operand.Code.Type, "o");
        var operandRef = temp is null ? operand : operand with { Code = temp };
        var conditions = new List<LinqExpr>();
        var results = new List<Bound>();
        foreach (var w in c.WhenClauses)
        {
            var value = Bind(w.Condition);
            conditions.Add(AsNullableBool(CompareCode(operandRef, value, ComparisonOperator.Equal, w.Condition)));
            results.Add(Bind(w.Result));
        }

        var elseResult = c.Else is null ? (Bound?)null : Bind(c.Else);
        var built = BuildCase(c, conditions, results, elseResult);
        if (temp is null)
        {
            return built;
        }

        return built with { Code = LinqExpr.Block(built.Code.Type, [temp], LinqExpr.Assign(temp, operand.Code), built.Code) };
    }

    private Bound BuildCase(SqlExpression source, List<LinqExpr> conditions, List<Bound> results, Bound? elseResult)
    {
        SqlType? type = null;
        foreach (var r in results.Append(elseResult ?? default))
        {
            if (r.Type is null)
            {
                continue;
            }

            if (type is null)
            {
                type = r.Type;
                continue;
            }

            type = SqlTypes.CommonType(type, r.Type)
                ?? throw Error(r.Source, $"Invalid Case expression. Type for all 'THEN' clauses should be the same.{Environment.NewLine}THEN expression '{r.Source}' has type: {r.Type}.{Environment.NewLine}Previous THEN expression(s) type: {type}.");
        }

        if (type is null)
        {
            throw Error(source, "Invalid Case expression. All case branches have NULL type");
        }

        LinqExpr code = elseResult is { } e ? Convert(e, type, false) : Repr.NullOf(type);
        for (var i = conditions.Count - 1; i >= 0; i--)
        {
            code = LinqExpr.Condition(
                LinqExpr.Equal(conditions[i], LinqExpr.Constant(true, typeof(bool?))),
                Convert(results[i], type, false),
                code);
        }

        return new Bound(type, code, source);
    }

    // ---- constructors ------------------------------------------------------------------------

    private static SqlType CommonElementType(IReadOnlyList<Bound> items, SqlExpression source, string what)
    {
        SqlType? common = null;
        foreach (var item in items)
        {
            if (item.Type is null)
            {
                continue;
            }

            if (common is null)
            {
                common = item.Type;
                continue;
            }

            if (item.Source is StringLiteral && (common.BaseType.IsNumber() || common.BaseType == SqlBaseType.Boolean))
            {
                continue;
            }

            if (common.BaseType == SqlBaseType.String && item.Type.BaseType.IsNumber() && items.Where(x => x.Type?.BaseType == SqlBaseType.String).All(x => x.Source is StringLiteral))
            {
                common = item.Type;
                continue;
            }

            common = SqlTypes.CommonType(common, item.Type)
                ?? throw Error(item.Source, $"invalid input syntax for type {common.BaseType.SqlName()}: {item.Source} is {item.Type}; every {what} needs a common type.");
        }

        return common ?? throw Error(source, $"Cannot construct {(what == "element" ? "an array" : "a map")} with all NULL {what}s (see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL value to the desired type.");
    }

    private Bound BindArray(CreateArray a)
    {
        if (a.Items.Count == 0)
        {
            throw Error(a, "Array constructor cannot be empty. Please supply at least one element (see https://github.com/confluentinc/ksql/issues/4239).");
        }

        var items = a.Items.Select(Bind).ToList();
        var element = CommonElementType(items, a, "element");
        var array = LinqExpr.NewArrayInit(typeof(object), items.Select(i => Repr.Box(Convert(i, element, false))));
        return new Bound(SqlTypes.Array(element), LinqExpr.Call(Method(nameof(SqlRuntime.NewList)), array), a);
    }

    private Bound BindMap(CreateMap m)
    {
        if (m.Entries.Count == 0)
        {
            throw Error(m, "Map constructor cannot be empty. Please supply at least one key value pair (see https://github.com/confluentinc/ksql/issues/4239).");
        }

        var keys = m.Entries.Select(e => Bind(e.Key)).ToList();
        var values = m.Entries.Select(e => Bind(e.Value)).ToList();
        var keyType = CommonElementType(keys, m, "key");
        var valueType = CommonElementType(values, m, "value");
        var code = LinqExpr.Call(
            Method(nameof(SqlRuntime.NewMap)),
            LinqExpr.NewArrayInit(typeof(object), keys.Select(k => Repr.Box(Convert(k, keyType, false)))),
            LinqExpr.NewArrayInit(typeof(object), values.Select(v => Repr.Box(Convert(v, valueType, false)))));
        return new Bound(SqlTypes.Map(keyType, valueType), code, m);
    }

    private Bound BindStruct(CreateStruct s)
    {
        var fields = new List<SqlStructField>();
        var values = new List<LinqExpr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in s.Fields)
        {
            if (!seen.Add(f.Name))
            {
                throw Error(s, $"Duplicate field names found in STRUCT: '{f.Name}'");
            }

            var b = Bind(f.Value);
            if (b.Type is null)
            {
                throw Error(f.Value, $"Can't infer a type of null for field {f.Name}. Please explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).");
            }

            fields.Add(new SqlStructField(f.Name, b.Type));
            values.Add(Repr.Box(b.Code));
        }

        var type = SqlTypes.Struct(fields);
        var code = LinqExpr.Call(Method(nameof(SqlRuntime.NewStruct)), LinqExpr.Constant(type), LinqExpr.NewArrayInit(typeof(object), values));
        return new Bound(type, code, s);
    }

    private Bound BindAtTimeZone(AtTimeZone a)
    {
        var call = new FunctionCall("CONVERT_TZ", new SqlExpression[] { a.Value, new StringLiteral("UTC"), new StringLiteral(a.TimeZone) }) { Location = a.Location };
        return BindFunction(call) with { Source = a };
    }
}
