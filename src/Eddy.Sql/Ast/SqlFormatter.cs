using System.Globalization;
using System.Text;
using Eddy.Sql.Internal.Parsing;
using Eddy.Sql.Types;

namespace Eddy.Sql.Ast;

/// <summary>
/// Prints syntax trees back as SQL that the parser reads again to an equal tree. Expressions print the
/// way ksqlDB prints them in messages: binary operations in parentheses (<c>(A + 1)</c>), identifiers
/// quoted with backticks only when they need it (<c>`lowerCase`</c>, reserved words).
/// </summary>
/// <example>
/// <code>
/// string sql = SqlFormatter.Format(SqlParser.ParseExpression("a+b*2")); // (A + (B * 2))
/// </code>
/// </example>
public static class SqlFormatter
{
    /// <summary>Formats any node.</summary>
    public static string Format(SqlNode node)
    {
        var sb = new StringBuilder();
        Append(sb, node);
        return sb.ToString();
    }

    /// <summary>Quotes an identifier with backticks when it would not read back unchanged unquoted.</summary>
    public static string QuoteIdentifierIfNeeded(string name)
    {
        if (NeedsQuotes(name))
        {
            return "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
        }

        return name;
    }

    /// <summary>Quotes a string literal: <c>'it''s'</c>.</summary>
    public static string QuoteString(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static bool NeedsQuotes(string name)
    {
        if (name.Length == 0)
        {
            return true;
        }

        var c0 = name[0];
        if (!(char.IsAsciiLetterUpper(c0) || c0 == '_' || (c0 > 127 && char.IsLetter(c0) && char.ToUpperInvariant(c0) == c0)))
        {
            return true;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c is '_' or '@' || (c > 127 && char.IsLetterOrDigit(c) && char.ToUpperInvariant(c) == c)))
            {
                return true;
            }
        }

        return Keywords.IsReserved(name);
    }

    private static void AppendName(StringBuilder sb, string name) => sb.Append(QuoteIdentifierIfNeeded(name));

    private static void AppendList<T>(StringBuilder sb, IEnumerable<T> items, string separator = ", ")
        where T : SqlNode
    {
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                sb.Append(separator);
            }

            first = false;
            Append(sb, item);
        }
    }

    private static void Append(StringBuilder sb, SqlNode node)
    {
        switch (node)
        {
            case SqlExpression e:
                AppendExpression(sb, e);
                break;
            case Statement s:
                AppendStatement(sb, s);
                break;
            case TypeRef t:
                AppendType(sb, t);
                break;
            case SelectItem item:
                AppendSelectItem(sb, item);
                break;
            case Relation r:
                AppendRelation(sb, r);
                break;
            case WhenClause w:
                sb.Append("WHEN ");
                AppendExpression(sb, w.Condition);
                sb.Append(" THEN ");
                AppendExpression(sb, w.Result);
                break;
            case MapEntry m:
                AppendExpression(sb, m.Key);
                sb.Append(":=");
                AppendExpression(sb, m.Value);
                break;
            case StructFieldValue f:
                AppendName(sb, f.Name);
                sb.Append(":=");
                AppendExpression(sb, f.Value);
                break;
            case Duration d:
                sb.Append(d.Value.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(d.Unit.SqlName());
                break;
            case WindowExpression w:
                AppendWindow(sb, w);
                break;
            case WithinExpression w:
                AppendWithin(sb, w);
                break;
            case JoinedSource j:
                AppendJoin(sb, j);
                break;
            case TableElement te:
                AppendTableElement(sb, te);
                break;
            case Property p:
                sb.Append(p.Name.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_') && p.Name.Length > 0 ? p.Name : QuoteString(p.Name)).Append('=');
                AppendExpression(sb, p.Value);
                break;
            case StructFieldRef f:
                AppendName(sb, f.Name);
                sb.Append(' ');
                AppendType(sb, f.Type);
                break;
            case AlterColumn a:
                sb.Append("ADD COLUMN ");
                AppendName(sb, a.Name);
                sb.Append(' ');
                AppendType(sb, a.Type);
                break;
            default:
                sb.Append(node.GetType().Name);
                break;
        }
    }

    private static void AppendExpression(StringBuilder sb, SqlExpression e)
    {
        switch (e)
        {
            case NullLiteral:
                sb.Append("null");
                break;
            case BooleanLiteral b:
                sb.Append(b.Value ? "true" : "false");
                break;
            case IntegerLiteral i:
                sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case BigIntLiteral l:
                sb.Append(l.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case DecimalLiteral d:
                sb.Append(d.Value.ToPlainString());
                if (d.Value.Scale <= 0)
                {
                    sb.Append('.');
                }

                break;
            case DoubleLiteral d:
            {
                var s = SqlValues.JavaDouble(d.Value);
                sb.Append(s);
                if (!s.Contains('E', StringComparison.Ordinal) && !double.IsNaN(d.Value) && !double.IsInfinity(d.Value))
                {
                    sb.Append("E0");
                }

                break;
            }

            case StringLiteral s:
                sb.Append(QuoteString(s.Value));
                break;
            case VariableLiteral v:
                sb.Append("${").Append(v.Name).Append('}');
                break;
            case ColumnRef c:
                if (c.Source is not null)
                {
                    AppendName(sb, c.Source);
                    sb.Append('.');
                }

                AppendName(sb, c.Name);
                break;
            case Dereference d:
                AppendExpression(sb, d.Base);
                sb.Append("->");
                AppendName(sb, d.Field);
                break;
            case Subscript s:
                AppendExpression(sb, s.Base);
                sb.Append('[');
                AppendExpression(sb, s.Index);
                sb.Append(']');
                break;
            case FunctionCall f:
                sb.Append(QuoteIdentifierIfNeeded(f.Name)).Append('(');
                if (f.IsStar)
                {
                    sb.Append('*');
                }
                else
                {
                    AppendList(sb, f.Arguments);
                }

                sb.Append(')');
                break;
            case LambdaFunction l:
                sb.Append('(');
                for (var i = 0; i < l.Parameters.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(", ");
                    }

                    AppendName(sb, l.Parameters[i]);
                }

                sb.Append(") => ");
                AppendExpression(sb, l.Body);
                break;
            case IntervalUnitLiteral u:
                sb.Append(u.Unit.SqlName());
                break;
            case Cast c:
                sb.Append("CAST(");
                AppendExpression(sb, c.Operand);
                sb.Append(" AS ");
                AppendType(sb, c.Type);
                sb.Append(')');
                break;
            case ArithmeticUnary u:
                sb.Append(u.Sign == ArithmeticSign.Minus ? "-" : "+");
                if (u.Operand is ArithmeticUnary || (u.Operand is Literal && sb.Length > 0))
                {
                    sb.Append(' ');
                }

                AppendExpression(sb, u.Operand);
                break;
            case ArithmeticBinary b:
                sb.Append('(');
                AppendExpression(sb, b.Left);
                sb.Append(b.Operator switch
                {
                    ArithmeticOperator.Add => " + ",
                    ArithmeticOperator.Subtract => " - ",
                    ArithmeticOperator.Multiply => " * ",
                    ArithmeticOperator.Divide => " / ",
                    ArithmeticOperator.Modulus => " % ",
                    _ => " || ",
                });
                AppendExpression(sb, b.Right);
                sb.Append(')');
                break;
            case Comparison c:
                sb.Append('(');
                AppendExpression(sb, c.Left);
                sb.Append(' ').Append(OperatorText(c.Operator)).Append(' ');
                AppendExpression(sb, c.Right);
                sb.Append(')');
                break;
            case LogicalBinary l:
                sb.Append('(');
                AppendExpression(sb, l.Left);
                sb.Append(l.Operator == LogicalOperator.And ? " AND " : " OR ");
                AppendExpression(sb, l.Right);
                sb.Append(')');
                break;
            case Not n:
                sb.Append("(NOT ");
                AppendExpression(sb, n.Operand);
                sb.Append(')');
                break;
            case IsNull n:
                sb.Append('(');
                AppendExpression(sb, n.Operand);
                sb.Append(n.Negated ? " IS NOT NULL)" : " IS NULL)");
                break;
            case Between b:
                sb.Append('(');
                AppendExpression(sb, b.Value);
                sb.Append(b.Negated ? " NOT BETWEEN " : " BETWEEN ");
                AppendExpression(sb, b.Min);
                sb.Append(" AND ");
                AppendExpression(sb, b.Max);
                sb.Append(')');
                break;
            case InList i:
                sb.Append('(');
                AppendExpression(sb, i.Value);
                sb.Append(i.Negated ? " NOT IN (" : " IN (");
                AppendList(sb, i.Items);
                sb.Append("))");
                break;
            case Like l:
                sb.Append('(');
                AppendExpression(sb, l.Value);
                sb.Append(l.Negated ? " NOT LIKE " : " LIKE ");
                AppendExpression(sb, l.Pattern);
                if (l.Escape is { } esc)
                {
                    sb.Append(" ESCAPE ").Append(QuoteString(esc.ToString()));
                }

                sb.Append(')');
                break;
            case SearchedCase c:
                sb.Append("(CASE ");
                AppendList(sb, c.WhenClauses, " ");
                if (c.Else is not null)
                {
                    sb.Append(" ELSE ");
                    AppendExpression(sb, c.Else);
                }

                sb.Append(" END)");
                break;
            case SimpleCase c:
                sb.Append("(CASE ");
                AppendExpression(sb, c.Operand);
                sb.Append(' ');
                AppendList(sb, c.WhenClauses, " ");
                if (c.Else is not null)
                {
                    sb.Append(" ELSE ");
                    AppendExpression(sb, c.Else);
                }

                sb.Append(" END)");
                break;
            case CreateArray a:
                sb.Append("ARRAY[");
                AppendList(sb, a.Items);
                sb.Append(']');
                break;
            case CreateMap m:
                sb.Append("MAP(");
                AppendList(sb, m.Entries);
                sb.Append(')');
                break;
            case CreateStruct s:
                sb.Append("STRUCT(");
                AppendList(sb, s.Fields);
                sb.Append(')');
                break;
            case AtTimeZone a:
                AppendExpression(sb, a.Value);
                sb.Append(" AT TIME ZONE ").Append(QuoteString(a.TimeZone));
                break;
            default:
                sb.Append(e.GetType().Name);
                break;
        }
    }

    /// <summary>The SQL text of a comparison operator.</summary>
    public static string OperatorText(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "<>",
        ComparisonOperator.LessThan => "<",
        ComparisonOperator.LessThanOrEqual => "<=",
        ComparisonOperator.GreaterThan => ">",
        ComparisonOperator.GreaterThanOrEqual => ">=",
        ComparisonOperator.IsDistinctFrom => "IS DISTINCT FROM",
        _ => "IS NOT DISTINCT FROM",
    };

    private static void AppendType(StringBuilder sb, TypeRef t)
    {
        switch (t)
        {
            case BuiltInTypeRef b:
                sb.Append(b.Type.ToSql());
                break;
            case ArrayTypeRef a:
                sb.Append("ARRAY<");
                AppendType(sb, a.Element);
                sb.Append('>');
                break;
            case MapTypeRef m:
                sb.Append("MAP<");
                AppendType(sb, m.Key);
                sb.Append(", ");
                AppendType(sb, m.Value);
                sb.Append('>');
                break;
            case StructTypeRef s:
                sb.Append("STRUCT<");
                AppendList(sb, s.Fields);
                sb.Append('>');
                break;
            case CustomTypeRef c:
                AppendName(sb, c.Name);
                break;
        }
    }

    private static void AppendSelectItem(StringBuilder sb, SelectItem item)
    {
        switch (item)
        {
            case AllColumns a:
                if (a.Source is not null)
                {
                    AppendName(sb, a.Source);
                    sb.Append('.');
                }

                sb.Append('*');
                break;
            case StructAll s:
                AppendExpression(sb, s.Base);
                sb.Append("->*");
                break;
            case SingleColumn c:
                AppendExpression(sb, c.Expression);
                if (c.Alias is not null)
                {
                    sb.Append(' ');
                    AppendName(sb, c.Alias);
                }

                break;
        }
    }

    private static void AppendRelation(StringBuilder sb, Relation r)
    {
        switch (r)
        {
            case AliasedRelation a:
                AppendName(sb, a.Source);
                if (a.Alias is not null)
                {
                    sb.Append(' ');
                    AppendName(sb, a.Alias);
                }

                break;
            case JoinRelation j:
                AppendRelation(sb, j.Left);
                foreach (var js in j.Joins)
                {
                    sb.Append(' ');
                    AppendJoin(sb, js);
                }

                break;
        }
    }

    private static void AppendJoin(StringBuilder sb, JoinedSource j)
    {
        sb.Append(j.Type switch
        {
            JoinType.Inner => "INNER JOIN ",
            JoinType.Left => "LEFT OUTER JOIN ",
            JoinType.Right => "RIGHT OUTER JOIN ",
            _ => "FULL OUTER JOIN ",
        });
        AppendRelation(sb, j.Right);
        if (j.Within is not null)
        {
            sb.Append(' ');
            AppendWithin(sb, j.Within);
        }

        sb.Append(" ON ");
        AppendExpression(sb, j.On);
    }

    private static void AppendWithin(StringBuilder sb, WithinExpression w)
    {
        sb.Append("WITHIN ");
        if (w.Before == w.After)
        {
            Append(sb, w.Before);
        }
        else
        {
            sb.Append('(');
            Append(sb, w.Before);
            sb.Append(", ");
            Append(sb, w.After);
            sb.Append(')');
        }

        if (w.Grace is not null)
        {
            sb.Append(" GRACE PERIOD ");
            Append(sb, w.Grace);
        }
    }

    private static void AppendWindow(StringBuilder sb, WindowExpression w)
    {
        sb.Append(w.Type.ToString().ToUpperInvariant()).Append(" (");
        if (w.Type != WindowType.Session)
        {
            sb.Append("SIZE ");
        }

        Append(sb, w.Size);
        if (w.Advance is not null)
        {
            sb.Append(", ADVANCE BY ");
            Append(sb, w.Advance);
        }

        if (w.Retention is not null)
        {
            sb.Append(", RETENTION ");
            Append(sb, w.Retention);
        }

        if (w.Grace is not null)
        {
            sb.Append(", GRACE PERIOD ");
            Append(sb, w.Grace);
        }

        sb.Append(')');
    }

    private static void AppendTableElement(StringBuilder sb, TableElement te)
    {
        AppendName(sb, te.Name);
        sb.Append(' ');
        AppendType(sb, te.Type);
        switch (te.Constraint)
        {
            case ColumnConstraint.Key:
                sb.Append(" KEY");
                break;
            case ColumnConstraint.PrimaryKey:
                sb.Append(" PRIMARY KEY");
                break;
            case ColumnConstraint.Headers:
                sb.Append(" HEADERS");
                break;
            case ColumnConstraint.Header:
                sb.Append(" HEADER(").Append(QuoteString(te.HeaderKey ?? string.Empty)).Append(')');
                break;
        }
    }

    private static void AppendProperties(StringBuilder sb, NodeList<Property> props)
    {
        if (props.Count == 0)
        {
            return;
        }

        sb.Append(" WITH (");
        AppendList(sb, props);
        sb.Append(')');
    }

    private static void AppendQuery(StringBuilder sb, Query q)
    {
        sb.Append("SELECT ");
        AppendList(sb, q.Items);
        sb.Append(" FROM ");
        AppendRelation(sb, q.From);
        if (q.Window is not null)
        {
            sb.Append(" WINDOW ");
            AppendWindow(sb, q.Window);
        }

        if (q.Where is not null)
        {
            sb.Append(" WHERE ");
            AppendExpression(sb, q.Where);
        }

        if (q.GroupBy is not null)
        {
            sb.Append(" GROUP BY ");
            AppendList(sb, q.GroupBy);
        }

        if (q.PartitionBy is not null)
        {
            sb.Append(" PARTITION BY ");
            AppendList(sb, q.PartitionBy);
        }

        if (q.Having is not null)
        {
            sb.Append(" HAVING ");
            AppendExpression(sb, q.Having);
        }

        if (q.Emit is not null)
        {
            sb.Append(q.Emit == EmitKind.Changes ? " EMIT CHANGES" : " EMIT FINAL");
        }

        if (q.Limit is not null)
        {
            sb.Append(" LIMIT ").Append(q.Limit.Value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Kind(SourceKind kind) => kind == SourceKind.Stream ? "STREAM" : "TABLE";

    private static void AppendStatement(StringBuilder sb, Statement s)
    {
        switch (s)
        {
            case Query q:
                AppendQuery(sb, q);
                break;
            case CreateSource c:
                sb.Append("CREATE ");
                if (c.OrReplace)
                {
                    sb.Append("OR REPLACE ");
                }

                if (c.IsSource)
                {
                    sb.Append("SOURCE ");
                }

                sb.Append(Kind(c.Kind)).Append(' ');
                if (c.IfNotExists)
                {
                    sb.Append("IF NOT EXISTS ");
                }

                AppendName(sb, c.Name);
                if (c.Elements.Count > 0)
                {
                    sb.Append(" (");
                    AppendList(sb, c.Elements);
                    sb.Append(')');
                }

                AppendProperties(sb, c.Properties);
                break;
            case CreateAsSelect c:
                sb.Append("CREATE ");
                if (c.OrReplace)
                {
                    sb.Append("OR REPLACE ");
                }

                sb.Append(Kind(c.Kind)).Append(' ');
                if (c.IfNotExists)
                {
                    sb.Append("IF NOT EXISTS ");
                }

                AppendName(sb, c.Name);
                AppendProperties(sb, c.Properties);
                sb.Append(" AS ");
                AppendQuery(sb, c.Query);
                break;
            case InsertInto i:
                sb.Append("INSERT INTO ");
                AppendName(sb, i.Target);
                AppendProperties(sb, i.Properties);
                sb.Append(' ');
                AppendQuery(sb, i.Query);
                break;
            case InsertValues v:
                sb.Append("INSERT INTO ");
                AppendName(sb, v.Target);
                if (v.Columns is not null)
                {
                    sb.Append(" (").AppendJoin(", ", v.Columns.Select(QuoteIdentifierIfNeeded)).Append(')');
                }

                sb.Append(" VALUES (");
                AppendList(sb, v.Values);
                sb.Append(')');
                break;
            case DropSource d:
                sb.Append("DROP ").Append(Kind(d.Kind)).Append(' ');
                if (d.IfExists)
                {
                    sb.Append("IF EXISTS ");
                }

                AppendName(sb, d.Name);
                if (d.DeleteTopic)
                {
                    sb.Append(" DELETE TOPIC");
                }

                break;
            case CreateType t:
                sb.Append("CREATE TYPE ");
                if (t.IfNotExists)
                {
                    sb.Append("IF NOT EXISTS ");
                }

                AppendName(sb, t.Name);
                sb.Append(" AS ");
                AppendType(sb, t.Type);
                break;
            case DropType t:
                sb.Append("DROP TYPE ");
                if (t.IfExists)
                {
                    sb.Append("IF EXISTS ");
                }

                AppendName(sb, t.Name);
                break;
            case ListStatement l:
                sb.Append("SHOW ");
                if (l.All)
                {
                    sb.Append("ALL ");
                }

                if (l.Scope is not null)
                {
                    sb.Append(l.Scope).Append(' ');
                }

                sb.Append(l.Kind switch
                {
                    ListKind.ConnectorPlugins => "CONNECTOR PLUGINS",
                    _ => l.Kind.ToString().ToUpperInvariant(),
                });
                if (l.Extended)
                {
                    sb.Append(" EXTENDED");
                }

                break;
            case DescribeSource d:
                sb.Append("DESCRIBE ");
                AppendName(sb, d.Name);
                if (d.Extended)
                {
                    sb.Append(" EXTENDED");
                }

                break;
            case DescribeSources d:
                sb.Append("DESCRIBE ").Append(d.Kind == SourceKind.Stream ? "STREAMS" : "TABLES");
                if (d.Extended)
                {
                    sb.Append(" EXTENDED");
                }

                break;
            case DescribeFunction f:
                sb.Append("DESCRIBE FUNCTION ");
                AppendName(sb, f.Name);
                break;
            case DescribeConnector c:
                sb.Append("DESCRIBE CONNECTOR ");
                AppendName(sb, c.Name);
                break;
            case PrintTopic p:
                sb.Append("PRINT ").Append(QuoteString(p.Topic));
                if (p.FromBeginning)
                {
                    sb.Append(" FROM BEGINNING");
                }

                if (p.Interval is not null)
                {
                    sb.Append(" INTERVAL ").Append(p.Interval.Value.ToString(CultureInfo.InvariantCulture));
                }

                if (p.Limit is not null)
                {
                    sb.Append(" LIMIT ").Append(p.Limit.Value.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case QueryControl t:
                sb.Append(t.Action.ToString().ToUpperInvariant()).Append(' ');
                if (t.QueryId is null)
                {
                    sb.Append("ALL");
                }
                else
                {
                    AppendName(sb, t.QueryId);
                }

                break;
            case SetProperty p:
                sb.Append("SET ").Append(QuoteString(p.Name)).Append('=').Append(QuoteString(p.Value));
                break;
            case UnsetProperty p:
                sb.Append("UNSET ").Append(QuoteString(p.Name));
                break;
            case AlterSystemProperty p:
                sb.Append("ALTER SYSTEM ").Append(QuoteString(p.Name)).Append('=').Append(QuoteString(p.Value));
                break;
            case DefineVariable d:
                sb.Append("DEFINE ").Append(d.Name).Append('=').Append(QuoteString(d.Value));
                break;
            case UndefineVariable u:
                sb.Append("UNDEFINE ").Append(u.Name);
                break;
            case CreateConnector c:
                sb.Append("CREATE ").Append(c.IsSource ? "SOURCE" : "SINK").Append(" CONNECTOR ");
                if (c.IfNotExists)
                {
                    sb.Append("IF NOT EXISTS ");
                }

                AppendName(sb, c.Name);
                AppendProperties(sb, c.Properties);
                break;
            case DropConnector d:
                sb.Append("DROP CONNECTOR ");
                if (d.IfExists)
                {
                    sb.Append("IF EXISTS ");
                }

                AppendName(sb, d.Name);
                break;
            case Explain e:
                sb.Append("EXPLAIN ");
                if (e.Statement is not null)
                {
                    AppendStatement(sb, e.Statement);
                }
                else
                {
                    AppendName(sb, e.QueryId!);
                }

                break;
            case AlterSource a:
                sb.Append("ALTER ").Append(Kind(a.Kind)).Append(' ');
                AppendName(sb, a.Name);
                sb.Append(' ');
                AppendList(sb, a.Columns);
                break;
            case AssertTopic a:
                sb.Append("ASSERT ");
                if (!a.Exists)
                {
                    sb.Append("NOT EXISTS ");
                }

                sb.Append("TOPIC ").Append(QuoteString(a.Topic));
                AppendProperties(sb, a.Properties);
                if (a.Timeout is not null)
                {
                    sb.Append(" TIMEOUT ");
                    Append(sb, a.Timeout);
                }

                break;
            case AssertSchema a:
                sb.Append("ASSERT ");
                if (!a.Exists)
                {
                    sb.Append("NOT EXISTS ");
                }

                sb.Append("SCHEMA");
                if (a.Subject is not null)
                {
                    sb.Append(" SUBJECT ").Append(QuoteString(a.Subject));
                }

                if (a.Id is not null)
                {
                    sb.Append(" ID ").Append(a.Id.Value.ToString(CultureInfo.InvariantCulture));
                }

                if (a.Timeout is not null)
                {
                    sb.Append(" TIMEOUT ");
                    Append(sb, a.Timeout);
                }

                break;
            case RunScript r:
                sb.Append("RUN SCRIPT ").Append(QuoteString(r.Path));
                break;
            case AssertValues v:
                sb.Append(v.IsTombstone ? "ASSERT NULL VALUES " : "ASSERT VALUES ");
                AppendName(sb, v.Source);
                if (v.Columns is not null)
                {
                    sb.Append(" (").AppendJoin(", ", v.Columns.Select(QuoteIdentifierIfNeeded)).Append(')');
                }

                sb.Append(v.IsTombstone ? " KEY (" : " VALUES (");
                AppendList(sb, v.Values);
                sb.Append(')');
                break;
            case AssertSource a:
                sb.Append("ASSERT ").Append(Kind(a.Kind)).Append(' ');
                AppendName(sb, a.Name);
                if (a.Elements.Count > 0)
                {
                    sb.Append(" (");
                    AppendList(sb, a.Elements);
                    sb.Append(')');
                }

                AppendProperties(sb, a.Properties);
                break;
            default:
                sb.Append(s.GetType().Name);
                break;
        }
    }
}
