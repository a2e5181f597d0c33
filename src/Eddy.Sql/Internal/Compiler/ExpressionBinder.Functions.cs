using System.Reflection;
using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Functions;
using Eddy.Sql.Types;
using LinqExpr = System.Linq.Expressions.Expression;

namespace Eddy.Sql.Internal.Compiler;

internal sealed partial class ExpressionBinder
{
    private Bound BindFunction(FunctionCall call)
    {
        var name = call.Name;
        if (_functions.IsAggregate(name))
        {
            throw Error(call, $"Use of aggregate function {name.ToUpperInvariant()} requires a GROUP BY clause.");
        }

        var def = _functions.FindScalar(name) ?? throw Relocate(_functions.UnknownFunction(name), call);
        if (call.IsStar)
        {
            throw Error(call, $"{def.Name}(*) is only valid for aggregate functions such as COUNT(*).");
        }

        // Bind the ordinary arguments first; lambdas are typed once their parameter types are known.
        var bound = new Bound?[call.Arguments.Count];
        var args = new CallArgument[call.Arguments.Count];
        for (var i = 0; i < call.Arguments.Count; i++)
        {
            var a = call.Arguments[i];
            switch (a)
            {
                case LambdaFunction l:
                    args[i] = new CallArgument(null, IsLambda: true, LambdaArity: l.Parameters.Count);
                    break;
                case IntervalUnitLiteral:
                    args[i] = new CallArgument(null, IsIntervalUnit: true);
                    break;
                default:
                    var b = Bind(a);
                    bound[i] = b;
                    args[i] = new CallArgument(b.Type, IsLiteral: a is Literal);
                    break;
            }
        }

        ResolvedCall resolved;
        try
        {
            resolved = OverloadResolver.Resolve(def, args, (index, inputs) => BindLambda((LambdaFunction)call.Arguments[index], inputs).Type);
        }
        catch (SqlException e) when (e.Location is null)
        {
            throw Error(call, e.RawMessage);
        }

        if (def.Kind == FunctionKind.Table)
        {
            switch (_mode)
            {
                case BinderMode.TypeOnly:
                    return new Bound(resolved.ReturnType, Repr.NullOf(resolved.ReturnType), call);
                case BinderMode.TableFunctionAsList:
                    var listType = SqlTypes.Array(resolved.ReturnType);
                    return new Bound(listType, EmitCall(resolved with { ReturnType = listType }, call, bound), call);
                default:
                    throw Error(call, $"Table function {def.Name} can only be used in the SELECT list of a query on a stream, e.g. SELECT {def.Name}(...) FROM s;");
            }
        }

        return new Bound(resolved.ReturnType, EmitCall(resolved, call, bound), call);
    }

    private static SqlException Relocate(SqlException e, SqlExpression at) =>
        at.Location == default ? e : new SqlException(e.RawMessage, at.Location);

    private (SqlType Type, LinqExpr Code) BindLambda(LambdaFunction lambda, SqlType[] inputTypes)
    {
        if (lambda.Parameters.Count != inputTypes.Length)
        {
            throw Error(lambda, $"The lambda {lambda} takes {lambda.Parameters.Count} parameter(s) but the function passes {inputTypes.Length}.");
        }

        var parameters = new System.Linq.Expressions.ParameterExpression[inputTypes.Length];
        var scope = new Dictionary<string, (LinqExpr, SqlType)>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Length; i++)
        {
            parameters[i] = LinqExpr.Parameter(typeof(object), lambda.Parameters[i]);
            if (!scope.TryAdd(lambda.Parameters[i], (Repr.Unbox(parameters[i], inputTypes[i]), inputTypes[i])))
            {
                throw Error(lambda, $"The lambda {lambda} uses the parameter name {lambda.Parameters[i]} twice.");
            }
        }

        _lambdaScopes.Add(scope);
        try
        {
            var body = Bind(lambda.Body);
            var type = body.Type ?? throw Error(lambda.Body, $"Can't infer the type of the lambda body {lambda.Body}: cast NULL to a type.");
            var delegateType = parameters.Length switch
            {
                1 => typeof(Func<object?, object?>),
                2 => typeof(Func<object?, object?, object?>),
                3 => typeof(Func<object?, object?, object?, object?>),
                _ => throw Error(lambda, "Lambdas take one to three parameters."),
            };
            return (type, LinqExpr.Lambda(delegateType, Repr.Box(body.Code), parameters));
        }
        finally
        {
            _lambdaScopes.RemoveAt(_lambdaScopes.Count - 1);
        }
    }

    private LinqExpr EmitCall(ResolvedCall resolved, FunctionCall call, Bound?[] bound)
    {
        var overload = resolved.Overload;
        var method = overload.Method;
        var methodParams = method.GetParameters();
        var args = new List<LinqExpr>();
        var guards = new List<LinqExpr>();
        var temps = new List<System.Linq.Expressions.ParameterExpression>();
        var assigns = new List<LinqExpr>();
        if (overload.TakesContext)
        {
            args.Add(LinqExpr.Constant(_functions.Context));
        }

        var fixedCount = overload.IsVariadic ? overload.Parameters.Length - 1 : overload.Parameters.Length;
        for (var i = 0; i < fixedCount; i++)
        {
            args.Add(ArgumentCode(resolved, call, bound, i, overload.ClrParameters[i], guards, temps, assigns));
        }

        if (overload.IsVariadic)
        {
            var elementClr = overload.ClrParameters[^1];
            var rest = new List<LinqExpr>();
            for (var i = fixedCount; i < call.Arguments.Count; i++)
            {
                rest.Add(ArgumentCode(resolved, call, bound, i, elementClr, guards, temps, assigns));
            }

            args.Add(LinqExpr.NewArrayInit(elementClr, rest));
        }

        LinqExpr invoke = overload.Target is null
            ? LinqExpr.Call(method, args)
            : LinqExpr.Call(LinqExpr.Constant(overload.Target), method, args);
        _ = methodParams;
        var result = FromClr(invoke, resolved.ReturnType);
        if (guards.Count > 0)
        {
            var allPresent = guards.Aggregate(LinqExpr.AndAlso);
            result = LinqExpr.Condition(allPresent, result, Repr.NullOf(resolved.ReturnType));
        }

        if (temps.Count > 0)
        {
            assigns.Add(result);
            result = LinqExpr.Block(result.Type, temps, assigns);
        }

        return result;
    }

    private LinqExpr ArgumentCode(
        ResolvedCall resolved,
        FunctionCall call,
        Bound?[] bound,
        int index,
        Type clr,
        List<LinqExpr> guards,
        List<System.Linq.Expressions.ParameterExpression> temps,
        List<LinqExpr> assigns)
    {
        var argument = call.Arguments[index];
        if (argument is IntervalUnitLiteral unit)
        {
            return LinqExpr.Constant(unit.Unit, clr);
        }

        if (argument is LambdaFunction lambda)
        {
            var (_, code) = BindLambda(lambda, resolved.LambdaInputTypes[index]!);
            return clr.IsAssignableFrom(code.Type) ? code : LinqExpr.Convert(code, clr);
        }

        var b = bound[index]!.Value;
        var target = resolved.TargetTypes[index] ?? b.Type;
        LinqExpr value = target is null ? LinqExpr.Constant(null, typeof(object)) : Convert(b, target, explicitCast: false);
        var underlying = Nullable.GetUnderlyingType(clr);
        if (clr.IsValueType && underlying is null && value.Type != clr)
        {
            // A non-nullable parameter: the call yields NULL when this argument is NULL.
            var temp = LinqExpr.Variable(value.Type, "a" + index);
            temps.Add(temp);
            assigns.Add(LinqExpr.Assign(temp, value));
            if (!value.Type.IsValueType || Nullable.GetUnderlyingType(value.Type) is not null)
            {
                guards.Add(LinqExpr.NotEqual(temp, LinqExpr.Constant(null, value.Type)));
            }

            return ToClr(temp, clr);
        }

        return ToClr(value, clr);
    }

    /// <summary>Adapts a value in its representation to a method's CLR parameter type.</summary>
    private static LinqExpr ToClr(LinqExpr value, Type clr)
    {
        if (value.Type == clr || clr.IsAssignableFrom(value.Type))
        {
            return value.Type == clr ? value : LinqExpr.Convert(value, clr);
        }

        if (clr == typeof(object))
        {
            return Repr.Box(value);
        }

        var underlying = Nullable.GetUnderlyingType(value.Type);
        if (underlying is not null && underlying == clr)
        {
            return LinqExpr.Property(value, "Value");
        }

        if (underlying is not null && Nullable.GetUnderlyingType(clr) is { } target && target != underlying)
        {
            // e.g. SqlDecimal? to decimal?
            return LinqExpr.Call(typeof(ClrAdapters).GetMethod(nameof(ClrAdapters.ToType))!.MakeGenericMethod(clr), Repr.Box(value));
        }

        return LinqExpr.Call(typeof(ClrAdapters).GetMethod(nameof(ClrAdapters.ToType))!.MakeGenericMethod(clr), Repr.Box(value));
    }

    /// <summary>Adapts a method's result to the representation of its SQL type.</summary>
    private static LinqExpr FromClr(LinqExpr call, SqlType type)
    {
        var repr = Repr.Of(type);
        if (type is SqlDecimalType dt && (call.Type == typeof(SqlDecimal?) || call.Type == typeof(SqlDecimal)))
        {
            // A function's DECIMAL result takes the scale of its declared type.
            return LinqExpr.Call(
                typeof(SqlRuntime).GetMethod(nameof(SqlRuntime.DecimalToDecimal))!,
                call.Type == repr ? call : LinqExpr.Convert(call, repr),
                LinqExpr.Constant(dt.Precision),
                LinqExpr.Constant(dt.Scale));
        }

        if (call.Type == repr)
        {
            return call;
        }

        if (Nullable.GetUnderlyingType(repr) == call.Type)
        {
            return LinqExpr.Convert(call, repr);
        }

        if (repr.IsAssignableFrom(call.Type) && !repr.IsValueType && type.BaseType is not (SqlBaseType.Array or SqlBaseType.Map))
        {
            return LinqExpr.Convert(call, repr);
        }

        var converted = LinqExpr.Call(
            typeof(SqlValues).GetMethod(nameof(SqlValues.FromClr), BindingFlags.Public | BindingFlags.Static)!,
            call.Type.IsValueType ? LinqExpr.Convert(call, typeof(object)) : LinqExpr.Convert(call, typeof(object)),
            LinqExpr.Constant(type, typeof(SqlType)));
        return Repr.Unbox(converted, type);
    }
}

/// <summary>Runtime conversions from row-model values to the CLR types user functions declare.</summary>
internal static class ClrAdapters
{
    public static T ToType<T>(object? value) => (T)To(value, typeof(T))!;

    public static object? To(object? value, Type type)
    {
        if (value is null)
        {
            return null;
        }

        if (type.IsInstanceOfType(value))
        {
            return value;
        }

        var t = Nullable.GetUnderlyingType(type) ?? type;
        switch (value)
        {
            case SqlDecimal d when t == typeof(decimal):
                return d.ToDecimal();
            case SqlDecimal d when t == typeof(double):
                return d.ToDouble();
            case DateTime dt when t == typeof(DateTimeOffset):
                return new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
            case DateTime dt when t == typeof(long):
                return SqlValues.ToEpochMillis(dt);
            case int i when t == typeof(long):
                return (long)i;
            case int i when t == typeof(double):
                return (double)i;
            case long l when t == typeof(double):
                return (double)l;
            case List<object?> list:
            {
                var element = FunctionScanner.ElementOf(t);
                if (element is null)
                {
                    break;
                }

                if (t.IsArray)
                {
                    var array = Array.CreateInstance(element, list.Count);
                    for (var i = 0; i < list.Count; i++)
                    {
                        array.SetValue(To(list[i], element), i);
                    }

                    return array;
                }

                var typed = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element), list.Count)!;
                foreach (var item in list)
                {
                    typed.Add(To(item, element));
                }

                return typed;
            }

            case Dictionary<object, object?> map:
            {
                if (FunctionScanner.MapTypes(t) is not { } kv)
                {
                    break;
                }

                var typed = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(kv.Key, kv.Value))!;
                foreach (var e in map)
                {
                    typed[To(e.Key, kv.Key)!] = To(e.Value, kv.Value);
                }

                return typed;
            }
        }

        return System.Convert.ChangeType(value, t, System.Globalization.CultureInfo.InvariantCulture);
    }
}
