using System.Collections;
using System.Reflection;
using Eddy.Sql.Ast;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions;

/// <summary>A scalar or table function: its metadata and overloads.</summary>
internal sealed class ScalarFunctionDefinition
{
    public required string Name { get; init; }

    public required FunctionKind Kind { get; init; }

    public string Description { get; init; } = string.Empty;

    public string Category { get; init; } = "OTHER";

    public string Author { get; init; } = string.Empty;

    public string Version { get; init; } = string.Empty;

    public string Path { get; init; } = "internal";

    public List<ScalarOverload> Overloads { get; } = [];

    public FunctionInfo ToInfo() => new(
        Name,
        Kind,
        Kind == FunctionKind.Table ? "TABLE" : Category,
        Description,
        Author,
        Version,
        Path,
        Overloads.Select(o => o.ToInfo()).ToArray());
}

/// <summary>One overload: a method and its SQL signature.</summary>
internal sealed class ScalarOverload
{
    public required ScalarFunctionDefinition Function { get; init; }

    public required MethodInfo Method { get; init; }

    public object? Target { get; init; }

    /// <summary>The SQL parameter types; for a variadic overload the last entry is the element type.</summary>
    public required ParamType[] Parameters { get; init; }

    /// <summary>The CLR type of each SQL parameter (the element type for the variadic one).</summary>
    public required Type[] ClrParameters { get; init; }

    public bool IsVariadic { get; init; }

    public bool TakesContext { get; init; }

    public required string[] Names { get; init; }

    public required string[] Descriptions { get; init; }

    public ParamType? Return { get; init; }

    public Func<IReadOnlyList<SqlType>, SqlType>? ReturnProvider { get; init; }

    public string Description { get; init; } = string.Empty;

    public FunctionOverloadInfo ToInfo()
    {
        var args = new FunctionArgumentInfo[Parameters.Length];
        for (var i = 0; i < Parameters.Length; i++)
        {
            args[i] = new FunctionArgumentInfo(Names[i], Parameters[i].ToString(), Descriptions[i], IsVariadic && i == Parameters.Length - 1);
        }

        var ret = Return?.ToString() ?? (ReturnProvider is not null ? "(depends on the arguments)" : "?");
        return new FunctionOverloadInfo(args, ret, Description);
    }

    public string Signature =>
        Function.Name + "(" + string.Join(", ", Parameters.Select((p, i) => (IsVariadic && i == Parameters.Length - 1 ? p + "..." : p.ToString()) + " " + Names[i])) + ")";
}

/// <summary>An aggregate function: resolves to an <see cref="AggregateFunction"/> for argument types.</summary>
internal abstract class AggregateDefinition
{
    public string Name { get; init; } = string.Empty;

    public string Description { get; init; } = string.Empty;

    public string Author { get; init; } = string.Empty;

    public string Version { get; init; } = string.Empty;

    public string Path { get; init; } = "internal";

    public abstract IReadOnlyList<FunctionOverloadInfo> Overloads { get; }

    /// <summary>
    /// Resolves for the call's arguments: column arguments (typed) and literal arguments (typed, with
    /// values). Throws <see cref="SqlException"/> when no variant fits.
    /// </summary>
    public abstract AggregateFunction Resolve(IReadOnlyList<AggregateArgument> arguments, FunctionContext context);

    public FunctionInfo ToInfo() => new(Name, FunctionKind.Aggregate, "AGGREGATE", Description, Author, Version, Path, Overloads);
}

/// <summary>One argument of an aggregate call.</summary>
/// <param name="Type">Its type (null for a NULL literal).</param>
/// <param name="IsLiteral">Whether it is a literal (init arguments must be).</param>
/// <param name="Value">The literal's value.</param>
internal readonly record struct AggregateArgument(SqlType? Type, bool IsLiteral, object? Value);

/// <summary>Turns attribute-annotated classes into function definitions.</summary>
internal static class FunctionScanner
{
    public static ScalarFunctionDefinition? ScanScalar(Type type, string path, Func<Type, object?> instanceFactory)
    {
        var scalar = type.GetCustomAttribute<SqlFunctionAttribute>();
        var table = type.GetCustomAttribute<SqlTableFunctionAttribute>();
        if (scalar is null && table is null)
        {
            return null;
        }

        var def = scalar is not null
            ? new ScalarFunctionDefinition
            {
                Name = scalar.Name.ToUpperInvariant(),
                Kind = FunctionKind.Scalar,
                Description = scalar.Description,
                Category = scalar.Category,
                Author = scalar.Author,
                Version = scalar.Version,
                Path = path,
            }
            : new ScalarFunctionDefinition
            {
                Name = table!.Name.ToUpperInvariant(),
                Kind = FunctionKind.Table,
                Description = table.Description,
                Author = table.Author,
                Version = table.Version,
                Path = path,
            };

        object? instance = null;
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            var attr = method.GetCustomAttribute<SqlOverloadAttribute>();
            if (attr is null)
            {
                continue;
            }

            object? target = null;
            if (!method.IsStatic)
            {
                instance ??= instanceFactory(type) ?? throw new InvalidOperationException($"{type.FullName}: instance method {method.Name} needs a public parameterless constructor.");
                target = instance;
            }

            def.Overloads.Add(ScanOverload(def, type, method, attr, target));
        }

        if (def.Overloads.Count == 0)
        {
            throw new InvalidOperationException($"{type.FullName} declares the function {def.Name} but has no [SqlOverload] method.");
        }

        return def;
    }

    private static ScalarOverload ScanOverload(ScalarFunctionDefinition def, Type type, MethodInfo method, SqlOverloadAttribute attr, object? target)
    {
        var parameters = method.GetParameters();
        var takesContext = parameters.Length > 0 && parameters[0].ParameterType == typeof(FunctionContext);
        var start = takesContext ? 1 : 0;
        var count = parameters.Length - start;
        var types = new ParamType[count];
        var clr = new Type[count];
        var names = new string[count];
        var descriptions = new string[count];
        var variadic = count > 0 && parameters[^1].GetCustomAttribute<ParamArrayAttribute>() is not null;
        for (var i = 0; i < count; i++)
        {
            var p = parameters[start + i];
            var pa = p.GetCustomAttribute<SqlParameterAttribute>();
            var clrType = p.ParameterType;
            if (variadic && i == count - 1)
            {
                clrType = clrType.GetElementType()!;
            }

            clr[i] = clrType;
            names[i] = pa?.Name ?? p.Name ?? $"arg{i}";
            descriptions[i] = pa?.Description ?? string.Empty;
            try
            {
                types[i] = pa?.Type is { } t ? ParamType.Parse(t) : FromClr(clrType);
            }
            catch (Exception e) when (e is InvalidOperationException or SqlException)
            {
                throw new InvalidOperationException($"{type.FullName}.{method.Name}, parameter {names[i]}: {e.Message}", e);
            }
        }

        ParamType? ret = null;
        Func<IReadOnlyList<SqlType>, SqlType>? provider = null;
        if (attr.ReturnTypeProvider is { } providerName)
        {
            var pm = type.GetMethod(providerName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new InvalidOperationException($"{type.FullName}: return type provider {providerName} not found (it must be static).");
            provider = (Func<IReadOnlyList<SqlType>, SqlType>)Delegate.CreateDelegate(typeof(Func<IReadOnlyList<SqlType>, SqlType>), pm);
        }
        else if (attr.ReturnType is { } rt)
        {
            ret = ParamType.Parse(rt);
        }
        else
        {
            var returnClr = method.ReturnType;
            if (def.Kind == FunctionKind.Table)
            {
                returnClr = ElementOf(returnClr) ?? throw new InvalidOperationException($"{type.FullName}.{method.Name}: a table function must return a list or sequence.");
            }

            if (returnClr == typeof(object))
            {
                var generic = types.SelectMany(Generics).Distinct().ToArray();
                ret = generic.Length == 1 ? new ParamType.Generic(generic[0]) : throw new InvalidOperationException($"{type.FullName}.{method.Name}: returns object; say its SQL type with [SqlOverload(ReturnType = ...)].");
            }
            else
            {
                ret = FromClr(returnClr);
            }

            if (ret is ParamType.Base { BaseType: SqlBaseType.Decimal or SqlBaseType.Struct })
            {
                throw new InvalidOperationException($"{type.FullName}.{method.Name}: returns {ret}; give the exact type with ReturnType (e.g. DECIMAL(10, 2)) or a ReturnTypeProvider.");
            }
        }

        if (ret is not null)
        {
            var bound = types.SelectMany(AllGenerics).ToHashSet(StringComparer.Ordinal);
            var unbound = AllGenerics(ret).Where(g => !bound.Contains(g)).ToArray();
            if (unbound.Length > 0 && !types.Any(t => t is ParamType.Lambda))
            {
                throw new InvalidOperationException($"{type.FullName}.{method.Name}: the return type {ret} uses {string.Join(", ", unbound)}, which no parameter binds; give ReturnType.");
            }
        }

        if (method.ReturnType == typeof(void))
        {
            throw new InvalidOperationException($"{type.FullName}.{method.Name}: a function must return a value.");
        }

        return new ScalarOverload
        {
            Function = def,
            Method = method,
            Target = target,
            Parameters = types,
            ClrParameters = clr,
            IsVariadic = variadic,
            TakesContext = takesContext,
            Names = names,
            Descriptions = descriptions,
            Return = ret,
            ReturnProvider = provider,
            Description = attr.Description,
        };
    }

    private static IEnumerable<string> AllGenerics(ParamType t) => t switch
    {
        ParamType.Generic g => [g.Name],
        ParamType.ArrayOf a => AllGenerics(a.Element),
        ParamType.MapOf m => AllGenerics(m.Key).Concat(AllGenerics(m.Value)),
        ParamType.Lambda l => l.Inputs.SelectMany(AllGenerics).Concat(AllGenerics(l.Result)),
        _ => [],
    };

    private static IEnumerable<string> Generics(ParamType t) => t switch
    {
        ParamType.Generic g => [g.Name],
        ParamType.ArrayOf a => Generics(a.Element),
        ParamType.MapOf m => Generics(m.Key).Concat(Generics(m.Value)),
        _ => [],
    };

    /// <summary>The SQL parameter type of a CLR type.</summary>
    public static ParamType FromClr(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(bool))
        {
            return ParamType.Boolean;
        }

        if (t == typeof(int))
        {
            return ParamType.Integer;
        }

        if (t == typeof(long))
        {
            return ParamType.BigInt;
        }

        if (t == typeof(double))
        {
            return ParamType.Double;
        }

        if (t == typeof(SqlDecimal) || t == typeof(decimal))
        {
            return ParamType.Decimal;
        }

        if (t == typeof(string))
        {
            return ParamType.String;
        }

        if (t == typeof(byte[]))
        {
            return ParamType.Bytes;
        }

        if (t == typeof(DateTime) || t == typeof(DateTimeOffset))
        {
            return ParamType.Timestamp;
        }

        if (t == typeof(DateOnly))
        {
            return ParamType.Date;
        }

        if (t == typeof(TimeOnly))
        {
            return ParamType.Time;
        }

        if (t == typeof(TimeUnit))
        {
            return new ParamType.IntervalUnit();
        }

        if (t == typeof(SqlStruct))
        {
            return ParamType.AnyStruct;
        }

        if (t == typeof(object))
        {
            return new ParamType.Generic("T");
        }

        if (MapTypes(t) is { } kv)
        {
            return new ParamType.MapOf(
                kv.Key == typeof(object) ? new ParamType.Generic("K") : FromClr(kv.Key),
                kv.Value == typeof(object) ? new ParamType.Generic("V") : FromClr(kv.Value));
        }

        if (ElementOf(t) is { } element)
        {
            return new ParamType.ArrayOf(FromClr(element));
        }

        throw new InvalidOperationException($"the CLR type {type.Name} has no SQL type; say it with [SqlParameter(Type = ...)].");
    }

    public static Type? ElementOf(Type t)
    {
        if (t == typeof(string) || t == typeof(byte[]))
        {
            return null;
        }

        if (t.IsArray)
        {
            return t.GetElementType();
        }

        if (t.IsGenericType)
        {
            var def = t.GetGenericTypeDefinition();
            if (def == typeof(List<>) || def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(IEnumerable<>)
                || def == typeof(ICollection<>) || def == typeof(IReadOnlyCollection<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        foreach (var i in t.GetInterfaces())
        {
            if (i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>) && !typeof(IDictionary).IsAssignableFrom(t))
            {
                return i.GetGenericArguments()[0];
            }
        }

        return null;
    }

    public static (Type Key, Type Value)? MapTypes(Type t)
    {
        if (t.IsGenericType)
        {
            var def = t.GetGenericTypeDefinition();
            if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>))
            {
                var args = t.GetGenericArguments();
                return (args[0], args[1]);
            }
        }

        return null;
    }
}
