using Eddy.Sql.Ast;

namespace Eddy.Sql.Internal.Analysis;

/// <summary>Generic walks over expression trees: children, rewriting, searching.</summary>
internal static class ExpressionTree
{
    /// <summary>The direct sub-expressions of an expression.</summary>
    public static IEnumerable<SqlExpression> Children(SqlExpression e)
    {
        switch (e)
        {
            case Dereference d:
                yield return d.Base;
                break;
            case Subscript s:
                yield return s.Base;
                yield return s.Index;
                break;
            case FunctionCall f:
                foreach (var a in f.Arguments)
                {
                    yield return a;
                }

                break;
            case LambdaFunction l:
                yield return l.Body;
                break;
            case Cast c:
                yield return c.Operand;
                break;
            case ArithmeticUnary u:
                yield return u.Operand;
                break;
            case ArithmeticBinary b:
                yield return b.Left;
                yield return b.Right;
                break;
            case Comparison c:
                yield return c.Left;
                yield return c.Right;
                break;
            case LogicalBinary l:
                yield return l.Left;
                yield return l.Right;
                break;
            case Not n:
                yield return n.Operand;
                break;
            case IsNull n:
                yield return n.Operand;
                break;
            case Between b:
                yield return b.Value;
                yield return b.Min;
                yield return b.Max;
                break;
            case InList i:
                yield return i.Value;
                foreach (var x in i.Items)
                {
                    yield return x;
                }

                break;
            case Like l:
                yield return l.Value;
                yield return l.Pattern;
                break;
            case SearchedCase sc:
                foreach (var w in sc.WhenClauses)
                {
                    yield return w.Condition;
                    yield return w.Result;
                }

                if (sc.Else is not null)
                {
                    yield return sc.Else;
                }

                break;
            case SimpleCase sc:
                yield return sc.Operand;
                foreach (var w in sc.WhenClauses)
                {
                    yield return w.Condition;
                    yield return w.Result;
                }

                if (sc.Else is not null)
                {
                    yield return sc.Else;
                }

                break;
            case CreateArray a:
                foreach (var x in a.Items)
                {
                    yield return x;
                }

                break;
            case CreateMap m:
                foreach (var entry in m.Entries)
                {
                    yield return entry.Key;
                    yield return entry.Value;
                }

                break;
            case CreateStruct s:
                foreach (var f in s.Fields)
                {
                    yield return f.Value;
                }

                break;
            case AtTimeZone z:
                yield return z.Value;
                break;
        }
    }

    /// <summary>Rebuilds an expression with each direct child replaced by <paramref name="map"/> of it (locations kept).</summary>
    public static SqlExpression MapChildren(SqlExpression e, Func<SqlExpression, SqlExpression> map) => e switch
    {
        Dereference d => d with { Base = map(d.Base) },
        Subscript s => s with { Base = map(s.Base), Index = map(s.Index) },
        FunctionCall f => f with { Arguments = f.Arguments.Select(map).ToArray() },
        LambdaFunction l => l with { Body = map(l.Body) },
        Cast c => c with { Operand = map(c.Operand) },
        ArithmeticUnary u => u with { Operand = map(u.Operand) },
        ArithmeticBinary b => b with { Left = map(b.Left), Right = map(b.Right) },
        Comparison c => c with { Left = map(c.Left), Right = map(c.Right) },
        LogicalBinary l => l with { Left = map(l.Left), Right = map(l.Right) },
        Not n => n with { Operand = map(n.Operand) },
        IsNull n => n with { Operand = map(n.Operand) },
        Between b => b with { Value = map(b.Value), Min = map(b.Min), Max = map(b.Max) },
        InList i => i with { Value = map(i.Value), Items = i.Items.Select(map).ToArray() },
        Like l => l with { Value = map(l.Value), Pattern = map(l.Pattern) },
        SearchedCase sc => sc with
        {
            WhenClauses = sc.WhenClauses.Select(w => w with { Condition = map(w.Condition), Result = map(w.Result) }).ToArray(),
            Else = sc.Else is null ? null : map(sc.Else),
        },
        SimpleCase sc => sc with
        {
            Operand = map(sc.Operand),
            WhenClauses = sc.WhenClauses.Select(w => w with { Condition = map(w.Condition), Result = map(w.Result) }).ToArray(),
            Else = sc.Else is null ? null : map(sc.Else),
        },
        CreateArray a => a with { Items = a.Items.Select(map).ToArray() },
        CreateMap m => m with { Entries = m.Entries.Select(x => x with { Key = map(x.Key), Value = map(x.Value) }).ToArray() },
        CreateStruct s => s with { Fields = s.Fields.Select(f => f with { Value = map(f.Value) }).ToArray() },
        AtTimeZone z => z with { Value = map(z.Value) },
        _ => e,
    };

    /// <summary>The expression and all its descendants, pre-order.</summary>
    public static IEnumerable<SqlExpression> DescendantsAndSelf(SqlExpression e)
    {
        var stack = new Stack<SqlExpression>();
        stack.Push(e);
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            yield return x;
            foreach (var c in Children(x).Reverse())
            {
                stack.Push(c);
            }
        }
    }

    /// <summary>The column references of an expression, lambda parameters excluded.</summary>
    public static List<ColumnRef> ColumnRefs(SqlExpression e)
    {
        var result = new List<ColumnRef>();
        Collect(e, [], result);
        return result;
    }

    private static void Collect(SqlExpression e, HashSet<string> lambdaNames, List<ColumnRef> result)
    {
        switch (e)
        {
            case ColumnRef c when c.Source is null && lambdaNames.Contains(c.Name):
                return;
            case ColumnRef c:
                result.Add(c);
                return;
            case LambdaFunction l:
                var inner = new HashSet<string>(lambdaNames, StringComparer.Ordinal);
                inner.UnionWith(l.Parameters);
                Collect(l.Body, inner, result);
                return;
        }

        foreach (var c in Children(e))
        {
            Collect(c, lambdaNames, result);
        }
    }
}
