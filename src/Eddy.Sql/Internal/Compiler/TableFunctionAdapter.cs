using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Compiler;

/// <summary>A table function resolved for argument types, evaluated by a compiled call.</summary>
internal sealed class TableFunctionAdapter : TableFunction
{
    private readonly Func<object?[], object?> _call;

    private TableFunctionAdapter(string name, IReadOnlyList<SqlType> argumentTypes, SqlType returnType, Func<object?[], object?> call)
        : base(name, argumentTypes, returnType)
    {
        _call = call;
    }

    public static TableFunctionAdapter Create(FunctionRegistry registry, ScalarFunctionDefinition def, IReadOnlyList<SqlType> argumentTypes)
    {
        // Compile "F(A0, A1, ...)" over a row holding the arguments.
        var columns = argumentTypes.Select((t, i) => new ScopeColumn("A" + i, t)).ToList();
        var call = new FunctionCall(def.Name, columns.Select(c => (SqlExpression)new ColumnRef(null, c.Name)).ToArray());
        var compiled = new ExpressionCompiler(registry).CompileTableFunction(call, new RowScope(columns));
        return new TableFunctionAdapter(def.Name, argumentTypes, compiled.Type, compiled.Delegate);
    }

    public override IReadOnlyList<object?> Apply(ReadOnlySpan<object?> arguments) =>
        _call(arguments.ToArray()) as List<object?> ?? [];
}
