using System.Text;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions;

/// <summary>One argument of a call, as overload resolution sees it.</summary>
internal readonly record struct CallArgument(SqlType? Type, bool IsLambda = false, int LambdaArity = 0, bool IsIntervalUnit = false, bool IsLiteral = false);

/// <summary>The chosen overload and the types everything resolves to.</summary>
internal sealed record ResolvedCall(
    ScalarOverload Overload,
    SqlType?[] TargetTypes,
    SqlType ReturnType,
    IReadOnlyDictionary<string, SqlType> Bindings,
    SqlType[]?[] LambdaInputTypes);

/// <summary>
/// Picks the overload of a function for argument types: exact matches beat widened numbers, which beat
/// generics; NULL literals match anything; lambdas are typed once the generics they take are bound.
/// </summary>
internal static class OverloadResolver
{
    private const int Fail = int.MaxValue;

    public static ResolvedCall Resolve(
        ScalarFunctionDefinition function,
        IReadOnlyList<CallArgument> args,
        Func<int, SqlType[], SqlType?> lambdaBodyType)
    {
        ResolvedCall? best = null;
        var bestCost = Fail;
        Exception? lastLambdaError = null;
        foreach (var overload in function.Overloads)
        {
            var (cost, resolved, lambdaError) = TryOverload(overload, args, lambdaBodyType);
            lastLambdaError = lambdaError ?? lastLambdaError;
            if (resolved is not null && cost < bestCost)
            {
                best = resolved;
                bestCost = cost;
            }
        }

        if (best is not null)
        {
            return best;
        }

        if (lastLambdaError is SqlException se && function.Overloads.Any(o => o.Parameters.Any(p => p is ParamType.Lambda)))
        {
            throw se;
        }

        throw new SqlException(NoMatchMessage(function, args));
    }

    public static string NoMatchMessage(ScalarFunctionDefinition function, IReadOnlyList<CallArgument> args)
    {
        var sb = new StringBuilder();
        sb.Append("Function '").Append(function.Name).Append("' does not accept parameters (");
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(args[i].IsLambda ? "LAMBDA" : args[i].IsIntervalUnit ? "INTERVAL_UNIT" : args[i].Type?.ToString() ?? "NULL");
        }

        sb.Append(").").Append('\n').Append("Valid alternatives are:");
        foreach (var o in function.Overloads)
        {
            sb.Append('\n').Append(o.Signature);
        }

        return sb.ToString();
    }

    private static (int Cost, ResolvedCall? Resolved, Exception? LambdaError) TryOverload(
        ScalarOverload overload,
        IReadOnlyList<CallArgument> args,
        Func<int, SqlType[], SqlType?> lambdaBodyType)
    {
        var parameters = overload.Parameters;
        if (overload.IsVariadic ? args.Count < parameters.Length - 1 : args.Count != parameters.Length)
        {
            return (Fail, null, null);
        }

        var bindings = new Dictionary<string, SqlType>(StringComparer.Ordinal);
        var cost = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var p = ParamFor(overload, i);
            var a = args[i];
            if (a.IsLambda)
            {
                if (p is not ParamType.Lambda l || l.Inputs.Length != a.LambdaArity)
                {
                    return (Fail, null, null);
                }

                continue;
            }

            if (a.IsIntervalUnit)
            {
                if (p is not ParamType.IntervalUnit)
                {
                    return (Fail, null, null);
                }

                continue;
            }

            if (p is ParamType.Lambda or ParamType.IntervalUnit)
            {
                return (Fail, null, null);
            }

            if (!TryMatch(p, a.Type, bindings, ref cost, a.IsLiteral))
            {
                return (Fail, null, null);
            }
        }

        if (overload.IsVariadic && args.Count >= parameters.Length)
        {
            cost++;
        }

        var lambdaInputs = new SqlType[]?[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].IsLambda)
            {
                continue;
            }

            var l = (ParamType.Lambda)ParamFor(overload, i);
            var inputs = new SqlType[l.Inputs.Length];
            for (var j = 0; j < inputs.Length; j++)
            {
                var t = l.Inputs[j].Resolve(bindings);
                if (t is null)
                {
                    return (Fail, null, null);
                }

                inputs[j] = t;
            }

            SqlType? body;
            try
            {
                body = lambdaBodyType(i, inputs);
            }
            catch (SqlException e)
            {
                return (Fail, null, e);
            }

            if (!TryMatch(l.Result, body, bindings, ref cost, isLiteral: false))
            {
                return (Fail, null, null);
            }

            lambdaInputs[i] = inputs;
        }

        var targets = new SqlType?[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].IsLambda || args[i].IsIntervalUnit)
            {
                continue;
            }

            var target = TargetType(ParamFor(overload, i), args[i].Type, bindings);
            if (target is null && args[i].Type is not null)
            {
                return (Fail, null, null);
            }

            targets[i] = target;
        }

        SqlType? returnType;
        if (overload.ReturnProvider is { } provider)
        {
            var known = new SqlType[args.Count];
            for (var i = 0; i < args.Count; i++)
            {
                known[i] = targets[i] ?? args[i].Type ?? SqlTypes.String;
            }

            returnType = provider(known);
        }
        else
        {
            returnType = overload.Return!.Resolve(bindings);
        }

        if (returnType is null)
        {
            return (Fail, null, null);
        }

        return (cost, new ResolvedCall(overload, targets, returnType, bindings, lambdaInputs), null);
    }

    public static ParamType ParamFor(ScalarOverload overload, int index) =>
        overload.IsVariadic && index >= overload.Parameters.Length - 1 ? overload.Parameters[^1] : overload.Parameters[index];

    /// <summary>What an argument of <paramref name="argType"/> is converted to for parameter <paramref name="p"/>.</summary>
    private static SqlType? TargetType(ParamType p, SqlType? argType, Dictionary<string, SqlType> bindings)
    {
        switch (p)
        {
            case ParamType.Base b:
                if (b.BaseType == SqlBaseType.Decimal)
                {
                    return argType is null ? SqlTypes.Decimal(38, 18) : SqlTypes.AsDecimal(argType);
                }

                if (b.BaseType == SqlBaseType.Struct)
                {
                    return argType;
                }

                return SqlTypes.Primitive(b.BaseType);
            case ParamType.Exact e:
                return e.Type;
            case ParamType.Generic g:
                return bindings.TryGetValue(g.Name, out var bound) ? bound : null;
            case ParamType.ArrayOf a:
            {
                if (argType is null)
                {
                    return p.Resolve(bindings);
                }

                if (argType is not SqlArrayType arr)
                {
                    return null;
                }

                var e = TargetType(a.Element, arr.ElementType, bindings);
                return e is null ? null : SqlTypes.Array(e);
            }

            case ParamType.MapOf m:
            {
                if (argType is null)
                {
                    return p.Resolve(bindings);
                }

                if (argType is not SqlMapType map)
                {
                    return null;
                }

                var k = TargetType(m.Key, map.KeyType, bindings);
                var v = TargetType(m.Value, map.ValueType, bindings);
                return k is null || v is null ? null : SqlTypes.Map(k, v);
            }
        }

        return null;
    }

    private static bool TryMatch(ParamType p, SqlType? arg, Dictionary<string, SqlType> bindings, ref int cost, bool isLiteral)
    {
        if (arg is null)
        {
            return p is not (ParamType.Lambda or ParamType.IntervalUnit);
        }

        switch (p)
        {
            case ParamType.Base b:
            {
                var from = arg.BaseType;
                var to = b.BaseType;
                if (from == to)
                {
                    return true;
                }

                if (to == SqlBaseType.Struct)
                {
                    return false;
                }

                if (from.IsNumber() && to.IsNumber() && from < to)
                {
                    cost += 2 * (to - from);
                    return true;
                }

                if (from == SqlBaseType.String && to.IsTime())
                {
                    cost += 8;
                    return true;
                }

                return false;
            }

            case ParamType.Exact e:
                if (e.Type.Equals(arg))
                {
                    return true;
                }

                if (SqlTypes.CanImplicitlyCast(arg, e.Type))
                {
                    cost += 1;
                    return true;
                }

                return false;
            case ParamType.Generic g:
            {
                cost += 1;
                if (!bindings.TryGetValue(g.Name, out var bound))
                {
                    bindings[g.Name] = arg;
                    return true;
                }

                if (bound.Equals(arg))
                {
                    return true;
                }

                var common = SqlTypes.CommonType(bound, arg);
                if (common is not null && SqlTypes.CanImplicitlyCast(arg, common) && SqlTypes.CanImplicitlyCast(bound, common))
                {
                    bindings[g.Name] = common;
                    cost += 1;
                    return true;
                }

                // A string literal where a number or time is expected: ksqlDB coerces literals.
                if (isLiteral && arg.BaseType == SqlBaseType.String && (bound.BaseType.IsNumber() || bound.BaseType.IsTime() || bound.BaseType == SqlBaseType.Boolean))
                {
                    cost += 4;
                    return true;
                }

                return false;
            }

            case ParamType.ArrayOf a:
                return arg is SqlArrayType arr && TryMatch(a.Element, arr.ElementType, bindings, ref cost, false);
            case ParamType.MapOf m:
                return arg is SqlMapType map
                    && TryMatch(m.Key, map.KeyType, bindings, ref cost, false)
                    && TryMatch(m.Value, map.ValueType, bindings, ref cost, false);
        }

        return false;
    }
}
