using Eddy.Sql.Ast;

namespace Eddy.Sql.Internal.Parsing;

internal sealed partial class Parser
{
    private Statement ParseStatement()
    {
        var t = Current;
        var start = t.Location;
        if (t.Kind != TokenKind.Word)
        {
            throw Unexpected("a statement such as SELECT, CREATE, INSERT, DROP, SHOW or DESCRIBE");
        }

        Statement statement = t.Upper switch
        {
            "SELECT" => ParseQuery(),
            "SHOW" or "LIST" => ParseList(),
            "DESCRIBE" => ParseDescribe(),
            "PRINT" => ParsePrint(),
            "TERMINATE" => ParseQueryControl(QueryAction.Terminate),
            "PAUSE" => ParseQueryControl(QueryAction.Pause),
            "RESUME" => ParseQueryControl(QueryAction.Resume),
            "SET" => ParseSet(),
            "UNSET" => ParseUnset(),
            "ALTER" => ParseAlter(),
            "DEFINE" => ParseDefine(),
            "UNDEFINE" => ParseUndefine(),
            "CREATE" => ParseCreate(),
            "INSERT" => ParseInsert(),
            "DROP" => ParseDrop(),
            "EXPLAIN" => ParseExplain(),
            "ASSERT" => ParseAssert(),
            "RUN" => ParseRunScript(),
            _ => throw UnknownStatement(t),
        };

        return Located(statement, start);
    }

    private SqlParseException UnknownStatement(Token t)
    {
        var suggestion = Suggest.Closest(t.Upper, Keywords.StatementStarts);
        return Unexpected(
            "a statement such as SELECT, CREATE, INSERT, DROP, SHOW or DESCRIBE",
            suggestion is null ? null : $"Did you mean {suggestion}?");
    }

    private ListStatement ParseList()
    {
        Take();
        var t = Current;
        if (t.Kind != TokenKind.Word)
        {
            throw Unexpected("what to list: STREAMS, TABLES, TOPICS, QUERIES, FUNCTIONS, PROPERTIES, TYPES, VARIABLES or CONNECTORS");
        }

        switch (t.Upper)
        {
            case "PROPERTIES":
                Take();
                return new ListStatement(ListKind.Properties);
            case "ALL":
                Take();
                ExpectWord("TOPICS");
                return new ListStatement(ListKind.Topics, TryWord("EXTENDED"), All: true);
            case "TOPICS":
                Take();
                return new ListStatement(ListKind.Topics, TryWord("EXTENDED"));
            case "STREAMS":
                Take();
                return new ListStatement(ListKind.Streams, TryWord("EXTENDED"));
            case "TABLES":
                Take();
                return new ListStatement(ListKind.Tables, TryWord("EXTENDED"));
            case "FUNCTIONS":
                Take();
                return new ListStatement(ListKind.Functions);
            case "SOURCE":
            case "SINK":
                Take();
                ExpectWord("CONNECTORS");
                return new ListStatement(ListKind.Connectors, Scope: t.Upper);
            case "CONNECTORS":
                Take();
                return new ListStatement(ListKind.Connectors);
            case "CONNECTOR":
                Take();
                ExpectWord("PLUGINS");
                return new ListStatement(ListKind.ConnectorPlugins);
            case "TYPES":
                Take();
                return new ListStatement(ListKind.Types);
            case "VARIABLES":
                Take();
                return new ListStatement(ListKind.Variables);
            case "QUERIES":
                Take();
                return new ListStatement(ListKind.Queries, TryWord("EXTENDED"));
        }

        var suggestion = Suggest.Closest(t.Upper, ["STREAMS", "TABLES", "TOPICS", "QUERIES", "FUNCTIONS", "PROPERTIES", "TYPES", "VARIABLES", "CONNECTORS"]);
        throw Unexpected(
            "what to list: STREAMS, TABLES, TOPICS, QUERIES, FUNCTIONS, PROPERTIES, TYPES, VARIABLES or CONNECTORS",
            suggestion is null ? null : $"Did you mean {suggestion}?");
    }

    private Statement ParseDescribe()
    {
        Take();
        if (TryWord("STREAMS"))
        {
            return new DescribeSources(SourceKind.Stream, TryWord("EXTENDED"));
        }

        if (AtWord("TABLES") && (PeekAt(1).Kind is TokenKind.Semicolon or TokenKind.EndOfInput || PeekAt(1).IsWord("EXTENDED")))
        {
            Take();
            return new DescribeSources(SourceKind.Table, TryWord("EXTENDED"));
        }

        if (AtWord("FUNCTION") && IsIdentifier(PeekAt(1)))
        {
            Take();
            return new DescribeFunction(ParseIdentifier("a function name"));
        }

        if (TryWord("CONNECTOR"))
        {
            return new DescribeConnector(ParseIdentifier("a connector name"));
        }

        var name = ParseIdentifier("a stream or table name, STREAMS, TABLES, FUNCTION or CONNECTOR");
        return new DescribeSource(name, TryWord("EXTENDED"));
    }

    private PrintTopic ParsePrint()
    {
        Take();
        var topic = ParseIdentifierOrString("a topic name");
        var fromBeginning = false;
        if (TryWord("FROM"))
        {
            ExpectWord("BEGINNING");
            fromBeginning = true;
        }

        int? interval = null;
        if (TryWord("INTERVAL") || TryWord("SAMPLE"))
        {
            interval = ParseIntegerValue("the interval (a number)");
        }

        int? limit = null;
        if (TryWord("LIMIT"))
        {
            limit = ParseIntegerValue("the limit (a number)");
        }

        return new PrintTopic(topic, fromBeginning, interval, limit);
    }

    private QueryControl ParseQueryControl(QueryAction action)
    {
        Take();
        if (TryWord("ALL"))
        {
            return new QueryControl(action, null);
        }

        return new QueryControl(action, ParseIdentifier("a query id or ALL"));
    }

    private string ParsePropertyName()
    {
        if (At(TokenKind.String))
        {
            return Take().Value;
        }

        if (At(TokenKind.Variable))
        {
            return Take().Text;
        }

        throw Unexpected("a quoted property name, e.g. 'auto.offset.reset'");
    }

    private SetProperty ParseSet()
    {
        Take();
        var name = ParsePropertyName();
        Expect(TokenKind.Equal, "=");
        var value = ParsePropertyName();
        return new SetProperty(name, value);
    }

    private UnsetProperty ParseUnset()
    {
        Take();
        return new UnsetProperty(ParsePropertyName());
    }

    private Statement ParseAlter()
    {
        Take();
        if (TryWord("SYSTEM"))
        {
            var name = ParsePropertyName();
            Expect(TokenKind.Equal, "=");
            return new AlterSystemProperty(name, ParsePropertyName());
        }

        SourceKind kind;
        if (TryWord("STREAM"))
        {
            kind = SourceKind.Stream;
        }
        else if (TryWord("TABLE"))
        {
            kind = SourceKind.Table;
        }
        else
        {
            throw Unexpected("STREAM, TABLE or SYSTEM");
        }

        var source = ParseIdentifier("a stream or table name");
        var columns = new List<AlterColumn>();
        do
        {
            var start = Current.Location;
            ExpectWord("ADD");
            TryWord("COLUMN");
            var name = ParseIdentifier("a column name");
            var type = ParseTypeRule();
            columns.Add(new AlterColumn(name, type) { Location = start });
        }
        while (TryTake(TokenKind.Comma));

        return new AlterSource(kind, source, columns);
    }

    private DefineVariable ParseDefine()
    {
        Take();
        var t = Current;
        if (t.Kind != TokenKind.Word)
        {
            throw Unexpected("a variable name");
        }

        Take();
        Expect(TokenKind.Equal, "=");
        if (!At(TokenKind.String))
        {
            throw Unexpected("the variable's value as a quoted string, e.g. DEFINE topic = 'orders';");
        }

        return new DefineVariable(t.Upper, Take().Value);
    }

    private UndefineVariable ParseUndefine()
    {
        Take();
        var t = Current;
        if (t.Kind != TokenKind.Word)
        {
            throw Unexpected("a variable name");
        }

        Take();
        return new UndefineVariable(t.Upper);
    }

    private RunScript ParseRunScript()
    {
        Take();
        ExpectWord("SCRIPT");
        if (!At(TokenKind.String))
        {
            throw Unexpected("the script path as a quoted string");
        }

        return new RunScript(Take().Value);
    }

    private Statement ParseCreate()
    {
        Take();
        var orReplace = false;
        if (TryWord("OR"))
        {
            ExpectWord("REPLACE");
            orReplace = true;
        }

        if (!orReplace && TryWord("TYPE"))
        {
            var ifNotExists = ParseIfNotExists();
            var name = ParseIdentifier("a type name");
            ExpectWord("AS");
            return new CreateType(name, ParseTypeRule(), ifNotExists);
        }

        if (!orReplace && (AtWord("SOURCE") || AtWord("SINK")) && PeekAt(1).IsWord("CONNECTOR"))
        {
            var isSource = Take().Upper == "SOURCE";
            Take();
            var ifNotExists = ParseIfNotExists();
            var name = ParseIdentifier("a connector name");
            ExpectWord("WITH");
            var props = ParseProperties();
            return new CreateConnector(isSource, name, props, ifNotExists);
        }

        var sourceToken = Current;
        var isSourceOnly = TryWord("SOURCE");
        SourceKind kind;
        if (TryWord("STREAM"))
        {
            kind = SourceKind.Stream;
        }
        else if (TryWord("TABLE"))
        {
            kind = SourceKind.Table;
        }
        else
        {
            var suggestion = Current.Kind == TokenKind.Word ? Suggest.Closest(Current.Upper, ["STREAM", "TABLE", "TYPE", "SOURCE", "SINK"]) : null;
            throw Unexpected(orReplace ? "STREAM or TABLE" : "STREAM, TABLE, TYPE, SOURCE or SINK CONNECTOR", suggestion is null ? null : $"Did you mean {suggestion}?");
        }

        var ifNotExistsFlag = ParseIfNotExists();
        var sourceName = ParseIdentifier(kind == SourceKind.Stream ? "a stream name" : "a table name");
        var elementsStart = Current;
        var elements = new List<TableElement>();
        if (TryTake(TokenKind.LeftParen))
        {
            do
            {
                elements.Add(ParseTableElement(kind));
            }
            while (TryTake(TokenKind.Comma));

            Expect(TokenKind.RightParen, ")");
        }

        NodeList<Property> properties = Array.Empty<Property>();
        if (TryWord("WITH"))
        {
            properties = ParseProperties();
        }

        if (AtWord("AS"))
        {
            var asToken = Take();
            if (isSourceOnly)
            {
                throw new SqlParseException($"CREATE SOURCE {kind.ToString().ToUpperInvariant()} cannot be used with AS SELECT: a SOURCE {kind.ToString().ToLowerInvariant()} reads an existing topic. Remove SOURCE to create a {kind.ToString().ToLowerInvariant()} from a query.", sourceToken.Location);
            }

            if (elements.Count > 0)
            {
                throw new SqlParseException($"CREATE {kind.ToString().ToUpperInvariant()} AS SELECT cannot declare columns: the columns come from the query. Remove the column list.", elementsStart.Location);
            }

            if (!AtWord("SELECT"))
            {
                throw Unexpected("SELECT after AS");
            }

            _ = asToken;
            var query = Located(ParseQuery(), Current.Location);
            PropertyValidator.ValidateCreateAs(kind, properties);
            return new CreateAsSelect(kind, sourceName, properties, query, orReplace, ifNotExistsFlag);
        }

        PropertyValidator.ValidateCreateSource(kind, properties);
        return new CreateSource(kind, sourceName, elements, properties, orReplace, isSourceOnly, ifNotExistsFlag);
    }

    private bool ParseIfNotExists()
    {
        if (AtWord("IF") && PeekAt(1).IsWord("NOT"))
        {
            Take();
            Take();
            ExpectWord("EXISTS");
            return true;
        }

        return false;
    }

    private bool ParseIfExists()
    {
        if (AtWord("IF") && PeekAt(1).IsWord("EXISTS"))
        {
            Take();
            Take();
            return true;
        }

        return false;
    }

    private TableElement ParseTableElement(SourceKind? kind)
    {
        var start = Current.Location;
        var name = ParseIdentifier("a column name");
        var type = ParseTypeRule();
        var constraint = ColumnConstraint.None;
        string? headerKey = null;
        if (TryWord("PRIMARY"))
        {
            ExpectWord("KEY");
            constraint = ColumnConstraint.PrimaryKey;
        }
        else if (TryWord("KEY"))
        {
            constraint = ColumnConstraint.Key;
        }
        else if (TryWord("HEADERS"))
        {
            constraint = ColumnConstraint.Headers;
        }
        else if (TryWord("HEADER"))
        {
            Expect(TokenKind.LeftParen, "(");
            if (!At(TokenKind.String))
            {
                throw Unexpected("the header key as a quoted string, e.g. HEADER('trace-id')");
            }

            headerKey = Take().Value;
            Expect(TokenKind.RightParen, ")");
            constraint = ColumnConstraint.Header;
        }

        if (kind == SourceKind.Table && constraint == ColumnConstraint.Key)
        {
            throw new SqlParseException($"Column `{name}` is a 'KEY' column: please use 'PRIMARY KEY' for tables.", start, syntax: false);
        }

        if (kind == SourceKind.Stream && constraint == ColumnConstraint.PrimaryKey)
        {
            throw new SqlParseException($"Column `{name}` is a 'PRIMARY KEY' column: please use 'KEY' for streams.", start, syntax: false);
        }

        return new TableElement(name, type, constraint, headerKey) { Location = start };
    }

    private NodeList<Property> ParseProperties()
    {
        Expect(TokenKind.LeftParen, "(");
        var list = new List<Property>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        do
        {
            var start = Current;
            string name;
            if (At(TokenKind.String))
            {
                // A quoted name keeps its case (connector configurations are case-sensitive).
                name = Take().Value;
            }
            else if (At(TokenKind.Word) || At(TokenKind.QuotedIdentifier) || At(TokenKind.BackQuotedIdentifier) || At(TokenKind.Variable))
            {
                // Property names are not identifiers in the usual sense: any word (even a keyword) names a property.
                var t = Take();
                name = t.Kind switch
                {
                    TokenKind.Word => t.Upper,
                    TokenKind.Variable => t.Text,
                    _ => t.Value,
                };
            }
            else
            {
                throw Unexpected("a property name, e.g. KAFKA_TOPIC");
            }

            Expect(TokenKind.Equal, "=");
            var valueStart = Current.Location;
            var value = ParseLiteral("a property value (a string, number or boolean)");
            if (!seen.Add(name))
            {
                throw new SqlParseException($"Duplicate property in the WITH clause: {name.ToUpperInvariant()}.", start.Location);
            }

            list.Add(new Property(name, Located(value, valueStart)) { Location = start.Location });
        }
        while (TryTake(TokenKind.Comma));

        Expect(TokenKind.RightParen, ")");
        return list;
    }

    private Literal ParseLiteral(string what)
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.String:
                Take();
                return new StringLiteral(t.Value);
            case TokenKind.Variable:
                Take();
                return new VariableLiteral(t.Value);
            case TokenKind.Integer:
            case TokenKind.Decimal:
            case TokenKind.Float:
                return ParseNumber(negative: false, t.Location);
            case TokenKind.Minus when PeekAt(1).Kind is TokenKind.Integer or TokenKind.Decimal or TokenKind.Float:
                Take();
                return ParseNumber(negative: true, t.Location);
            case TokenKind.Word when t.Upper is "TRUE" or "FALSE":
                Take();
                return new BooleanLiteral(t.Upper == "TRUE");
            case TokenKind.Word when t.Upper == "NULL":
                Take();
                return new NullLiteral();
        }

        throw Unexpected(what);
    }

    private Statement ParseInsert()
    {
        Take();
        ExpectWord("INTO");
        var target = ParseIdentifier("a stream or table name");
        if (TryWord("WITH"))
        {
            var props = ParseProperties();
            PropertyValidator.ValidateInsertInto(props);
            if (!AtWord("SELECT"))
            {
                throw Unexpected("SELECT");
            }

            return new InsertInto(target, props, Located(ParseQuery(), Current.Location));
        }

        if (AtWord("SELECT"))
        {
            return new InsertInto(target, Array.Empty<Property>(), Located(ParseQuery(), Current.Location));
        }

        NodeList<string>? columns = null;
        if (TryTake(TokenKind.LeftParen))
        {
            var names = new List<string>();
            do
            {
                names.Add(ParseIdentifier("a column name"));
            }
            while (TryTake(TokenKind.Comma));

            Expect(TokenKind.RightParen, ")");
            columns = names;
        }

        if (!AtWord("VALUES"))
        {
            throw Unexpected(columns is null ? "SELECT, VALUES or a column list" : "VALUES");
        }

        Take();
        return new InsertValues(target, columns, ParseValues());
    }

    private NodeList<SqlExpression> ParseValues()
    {
        Expect(TokenKind.LeftParen, "(");
        var values = new List<SqlExpression>();
        if (!At(TokenKind.RightParen))
        {
            do
            {
                values.Add(ParseValueExpression());
            }
            while (TryTake(TokenKind.Comma));
        }

        Expect(TokenKind.RightParen, ")");
        return values;
    }

    private Statement ParseDrop()
    {
        Take();
        if (TryWord("TYPE"))
        {
            var ifExists = ParseIfExists();
            return new DropType(ParseIdentifier("a type name"), ifExists);
        }

        if (TryWord("CONNECTOR"))
        {
            var ifExists = ParseIfExists();
            return new DropConnector(ParseIdentifier("a connector name"), ifExists);
        }

        SourceKind kind;
        if (TryWord("STREAM"))
        {
            kind = SourceKind.Stream;
        }
        else if (TryWord("TABLE"))
        {
            kind = SourceKind.Table;
        }
        else
        {
            throw Unexpected("STREAM, TABLE, TYPE or CONNECTOR");
        }

        var ifExistsFlag = ParseIfExists();
        var name = ParseIdentifier(kind == SourceKind.Stream ? "a stream name" : "a table name");
        var deleteTopic = false;
        if (TryWord("DELETE"))
        {
            ExpectWord("TOPIC");
            deleteTopic = true;
        }

        return new DropSource(kind, name, ifExistsFlag, deleteTopic);
    }

    private Explain ParseExplain()
    {
        Take();
        var t = Current;
        if (t.Kind == TokenKind.Word && t.Upper is "SELECT" or "CREATE" or "INSERT" or "SHOW" or "LIST" or "DESCRIBE" or "DROP" or "PRINT" or "TERMINATE")
        {
            return new Explain(ParseStatement(), null);
        }

        return new Explain(null, ParseIdentifier("a statement or a query id"));
    }

    private Statement ParseAssert()
    {
        Take();
        if (AtWord("VALUES"))
        {
            Take();
            var source = ParseIdentifier("a stream or table name");
            var columns = ParseOptionalColumnList();
            ExpectWord("VALUES");
            return new AssertValues(source, columns, ParseValues(), IsTombstone: false);
        }

        if (AtWord("NULL"))
        {
            Take();
            ExpectWord("VALUES");
            var source = ParseIdentifier("a stream or table name");
            var columns = ParseOptionalColumnList();
            ExpectWord("KEY");
            return new AssertValues(source, columns, ParseValues(), IsTombstone: true);
        }

        if (AtWord("STREAM") || AtWord("TABLE"))
        {
            var kind = Take().Upper == "STREAM" ? SourceKind.Stream : SourceKind.Table;
            var name = ParseIdentifier("a stream or table name");
            var elements = new List<TableElement>();
            if (TryTake(TokenKind.LeftParen))
            {
                do
                {
                    elements.Add(ParseTableElement(kind));
                }
                while (TryTake(TokenKind.Comma));

                Expect(TokenKind.RightParen, ")");
            }

            NodeList<Property> props = Array.Empty<Property>();
            if (TryWord("WITH"))
            {
                props = ParseProperties();
            }

            return new AssertSource(kind, name, elements, props);
        }

        var exists = true;
        if (AtWord("NOT"))
        {
            Take();
            ExpectWord("EXISTS");
            exists = false;
        }

        if (TryWord("TOPIC"))
        {
            var topic = ParseIdentifierOrString("a topic name");
            NodeList<Property> props = Array.Empty<Property>();
            if (TryWord("WITH"))
            {
                props = ParseProperties();
            }

            Duration? timeout = null;
            if (TryWord("TIMEOUT"))
            {
                timeout = ParseDuration("the timeout (a number)");
            }

            return new AssertTopic(topic, props, timeout, exists);
        }

        if (TryWord("SCHEMA"))
        {
            string? subject = null;
            int? id = null;
            if (TryWord("SUBJECT"))
            {
                subject = ParseIdentifierOrString("a subject name");
            }

            if (TryWord("ID"))
            {
                id = ParseIntegerValue("the schema id");
            }

            if (subject is null && id is null)
            {
                throw Unexpected("SUBJECT or ID: ASSERT SCHEMA needs at least one of them");
            }

            Duration? timeout = null;
            if (TryWord("TIMEOUT"))
            {
                timeout = ParseDuration("the timeout (a number)");
            }

            return new AssertSchema(subject, id, timeout, exists);
        }

        throw Unexpected("TOPIC, SCHEMA, VALUES, NULL VALUES, STREAM or TABLE");
    }

    private NodeList<string>? ParseOptionalColumnList()
    {
        if (!TryTake(TokenKind.LeftParen))
        {
            return null;
        }

        var names = new List<string>();
        do
        {
            names.Add(ParseIdentifier("a column name"));
        }
        while (TryTake(TokenKind.Comma));

        Expect(TokenKind.RightParen, ")");
        return names;
    }
}
