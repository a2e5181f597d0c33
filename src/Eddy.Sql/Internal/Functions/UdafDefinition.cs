using System.Reflection;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Compiler;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions;

/// <summary>A user-defined aggregate from a <see cref="SqlAggregateAttribute"/> class.</summary>
internal sealed class UdafDefinition : AggregateDefinition
{
    private readonly List<Factory> _factories = [];

    private sealed record Factory(
        MethodInfo Method,
        ParameterInfo[] InitParameters,
        SqlType? InputType,
        SqlType AggregateType,
        SqlType ReturnType,
        Type UdafInterface,
        bool SupportsUndo,
        string Description);

    public override IReadOnlyList<FunctionOverloadInfo> Overloads =>
        _factories.Select(f => new FunctionOverloadInfo(
            new[] { new FunctionArgumentInfo("col", f.InputType?.ToString() ?? "T", string.Empty, false) }
                .Concat(f.InitParameters.Select(p => new FunctionArgumentInfo(p.Name ?? "arg", FunctionScanner.FromClr(p.ParameterType).ToString(), string.Empty, false)))
                .ToArray(),
            f.ReturnType.ToString(),
            f.Description)).ToArray();

    public static UdafDefinition Scan(Type type, SqlAggregateAttribute attr, string path)
    {
        var def = new UdafDefinition
        {
            Name = attr.Name.ToUpperInvariant(),
            Description = attr.Description,
            Author = attr.Author,
            Version = attr.Version,
            Path = path,
        };
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            var fa = method.GetCustomAttribute<SqlAggregateFactoryAttribute>();
            if (fa is null)
            {
                continue;
            }

            var udaf = FindUdafInterface(method.ReturnType)
                ?? throw new InvalidOperationException($"{type.FullName}.{method.Name}: an aggregate factory must return an IUdaf<TInput, TAggregate, TOutput>.");
            var generic = udaf.GetGenericArguments();
            SqlType? input = fa.InputType is { } it ? SqlParser.ParseType(it) : generic[0] == typeof(object) ? null : ClrToSql(generic[0], type, method, "input");
            var aggregate = fa.AggregateType is { } at ? SqlParser.ParseType(at) : ClrToSql(generic[1], type, method, "aggregate");
            var result = fa.ReturnType is { } rt ? SqlParser.ParseType(rt) : ClrToSql(generic[2], type, method, "return");
            var undo = method.ReturnType.GetInterfaces().Append(method.ReturnType).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITableUdaf<,,>));
            def._factories.Add(new Factory(method, method.GetParameters(), input, aggregate, result, udaf, undo, fa.Description));
        }

        if (def._factories.Count == 0)
        {
            throw new InvalidOperationException($"{type.FullName} declares the aggregate {def.Name} but has no [SqlAggregateFactory] method.");
        }

        return def;
    }

    private static Type? FindUdafInterface(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IUdaf<,,>)
            ? t
            : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IUdaf<,,>));

    private static SqlType ClrToSql(Type clr, Type owner, MethodInfo method, string what)
    {
        var p = FunctionScanner.FromClr(clr);
        return p.Resolve(new Dictionary<string, SqlType>())
            ?? throw new InvalidOperationException($"{owner.FullName}.{method.Name}: the {what} type {clr.Name} needs an explicit SQL type in [SqlAggregateFactory].");
    }

    public override AggregateFunction Resolve(IReadOnlyList<AggregateArgument> arguments, FunctionContext context)
    {
        if (arguments.Count == 0)
        {
            throw new SqlException($"{Name} needs a column to aggregate.");
        }

        var column = arguments[0];
        var literals = arguments.Skip(1).ToArray();
        foreach (var f in _factories)
        {
            if (f.InitParameters.Length != literals.Length)
            {
                continue;
            }

            if (f.InputType is not null && column.Type is not null && !SqlTypes.CanImplicitlyCast(column.Type, f.InputType))
            {
                continue;
            }

            var initArgs = new object?[literals.Length];
            var ok = true;
            for (var i = 0; i < literals.Length; i++)
            {
                if (!literals[i].IsLiteral)
                {
                    ok = false;
                    break;
                }

                try
                {
                    initArgs[i] = ClrAdapters.To(literals[i].Value, f.InitParameters[i].ParameterType);
                }
                catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
                {
                    ok = false;
                    break;
                }
            }

            if (!ok)
            {
                continue;
            }

            var instance = f.Method.Invoke(null, initArgs)
                ?? throw new SqlException($"The factory of {Name} returned null.");
            var inputType = f.InputType ?? column.Type ?? SqlTypes.String;
            var generic = f.UdafInterface.GetGenericArguments();
            var adapterType = typeof(UdafAdapter<,,>).MakeGenericType(generic);
            return (AggregateFunction)Activator.CreateInstance(adapterType, Name, inputType, f.AggregateType, f.ReturnType, instance, f.SupportsUndo)!;
        }

        var types = string.Join(", ", arguments.Select(a => a.Type?.ToString() ?? "NULL"));
        throw new SqlException($"Function '{Name}' does not accept parameters ({types}).\nValid alternatives are:\n" + string.Join("\n", Overloads.Select(o => Name + o.Signature)));
    }

    /// <summary>Adapts a typed <see cref="IUdaf{TInput, TAggregate, TOutput}"/> to the row model.</summary>
    private sealed class UdafAdapter<TIn, TAgg, TOut> : AggregateFunction
    {
        private readonly IUdaf<TIn, TAgg, TOut> _udaf;
        private readonly ITableUdaf<TIn, TAgg, TOut>? _table;

        public UdafAdapter(string name, SqlType inputType, SqlType aggregateType, SqlType returnType, object udaf, bool supportsUndo)
            : base(name, [inputType], aggregateType, returnType)
        {
            _udaf = (IUdaf<TIn, TAgg, TOut>)udaf;
            _table = supportsUndo ? udaf as ITableUdaf<TIn, TAgg, TOut> : null;
        }

        public override bool SupportsUndo => _table is not null;

        public override object? Initialize() => ToRow(_udaf.Initialize());

        public override object? Aggregate(object? aggregate, ReadOnlySpan<object?> arguments) =>
            ToRow(_udaf.Aggregate(ClrAdapters.ToType<TIn>(arguments[0]), FromRow(aggregate)));

        public override object? Merge(object? left, object? right) => ToRow(_udaf.Merge(FromRow(left), FromRow(right)));

        public override object? Undo(object? aggregate, ReadOnlySpan<object?> arguments) =>
            _table is null ? base.Undo(aggregate, arguments) : ToRow(_table.Undo(ClrAdapters.ToType<TIn>(arguments[0]), FromRow(aggregate)));

        public override object? Map(object? aggregate) => SqlValues.FromClr(_udaf.Map(FromRow(aggregate)), ReturnType);

        private object? ToRow(TAgg value) => SqlValues.FromClr(value, AggregateType);

        private static TAgg FromRow(object? value) => ClrAdapters.ToType<TAgg>(value);
    }
}
