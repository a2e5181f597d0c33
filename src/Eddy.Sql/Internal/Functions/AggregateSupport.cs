using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions;

/// <summary>One step of an aggregate over a record's argument values.</summary>
internal delegate object? AggregateStep(object? aggregate, ReadOnlySpan<object?> arguments);

/// <summary>An aggregate function built from delegates.</summary>
internal sealed class LambdaAggregate : AggregateFunction
{
    private readonly Func<object?> _initialize;
    private readonly AggregateStep _aggregate;
    private readonly Func<object?, object?, object?> _merge;
    private readonly AggregateStep? _undo;
    private readonly Func<object?, object?> _map;

    public LambdaAggregate(
        string name,
        IReadOnlyList<SqlType> argumentTypes,
        SqlType aggregateType,
        SqlType returnType,
        Func<object?> initialize,
        AggregateStep aggregate,
        Func<object?, object?, object?> merge,
        AggregateStep? undo,
        Func<object?, object?> map)
        : base(name, argumentTypes, aggregateType, returnType)
    {
        _initialize = initialize;
        _aggregate = aggregate;
        _merge = merge;
        _undo = undo;
        _map = map;
    }

    public override bool SupportsUndo => _undo is not null;

    public override object? Initialize() => _initialize();

    public override object? Aggregate(object? aggregate, ReadOnlySpan<object?> arguments) => _aggregate(aggregate, arguments);

    public override object? Merge(object? left, object? right) => _merge(left, right);

    public override object? Undo(object? aggregate, ReadOnlySpan<object?> arguments) =>
        _undo is null ? base.Undo(aggregate, arguments) : _undo(aggregate, arguments);

    public override object? Map(object? aggregate) => _map(aggregate);
}

/// <summary>A built-in aggregate: its description and how it resolves.</summary>
internal sealed class BuiltInAggregate : AggregateDefinition
{
    private readonly FunctionOverloadInfo[] _overloads;
    private readonly Func<IReadOnlyList<AggregateArgument>, FunctionContext, AggregateFunction> _resolve;

    public BuiltInAggregate(string name, string description, FunctionOverloadInfo[] overloads, Func<IReadOnlyList<AggregateArgument>, FunctionContext, AggregateFunction> resolve)
    {
        Name = name;
        Description = description;
        Author = "Eddy";
        _overloads = overloads;
        _resolve = resolve;
    }

    public override IReadOnlyList<FunctionOverloadInfo> Overloads => _overloads;

    public override AggregateFunction Resolve(IReadOnlyList<AggregateArgument> arguments, FunctionContext context)
    {
        try
        {
            return _resolve(arguments, context);
        }
        catch (AggregateSignatureException)
        {
            var types = string.Join(", ", arguments.Select(a => a.Type?.ToString() ?? "NULL"));
            throw new SqlException(
                $"Function '{Name}' does not accept parameters ({types}).\nValid alternatives are:\n"
                + string.Join("\n", _overloads.Select(o => Name + o.Signature)));
        }
    }

    public static FunctionOverloadInfo Overload(string returnType, string description, params (string Name, string Type)[] args) =>
        new(args.Select(a => new FunctionArgumentInfo(a.Name, a.Type, string.Empty, false)).ToArray(), returnType, description);
}

/// <summary>Thrown while resolving a built-in aggregate when the arguments fit no variant.</summary>
internal sealed class AggregateSignatureException : Exception
{
    public AggregateSignatureException()
        : base("no matching aggregate variant")
    {
    }

    public AggregateSignatureException(string message)
        : base(message)
    {
    }

    public AggregateSignatureException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Helpers for reading aggregate call arguments.</summary>
internal static class AggregateArgs
{
    public static AggregateSignatureException Mismatch() => new();

    public static SqlType Column(IReadOnlyList<AggregateArgument> args, int index) =>
        index < args.Count && args[index].Type is { } t ? t : throw Mismatch();

    public static int IntLiteral(IReadOnlyList<AggregateArgument> args, int index, string what)
    {
        if (index >= args.Count || !args[index].IsLiteral)
        {
            throw new SqlException($"The {what} argument must be an integer literal.");
        }

        return args[index].Value switch
        {
            int i => i,
            long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
            _ => throw new SqlException($"The {what} argument must be an integer literal, not {args[index].Value}."),
        };
    }

    public static bool BoolLiteral(IReadOnlyList<AggregateArgument> args, int index, string what)
    {
        if (index >= args.Count || !args[index].IsLiteral || args[index].Value is not bool b)
        {
            throw new SqlException($"The {what} argument must be TRUE or FALSE.");
        }

        return b;
    }
}
