using Eddy.Sql.Ast;

namespace Eddy.Sql.Internal.Parsing;

internal sealed partial class Parser
{
    private Query ParseQuery()
    {
        ExpectWord("SELECT");
        var items = new List<SelectItem>();
        do
        {
            items.Add(ParseSelectItem());
        }
        while (TryTake(TokenKind.Comma));

        if (!AtWord("FROM"))
        {
            if (Current.Kind == TokenKind.Word && Suggest.Distance(Current.Upper, "FROM") <= 1)
            {
                throw Missing("FROM");
            }

            throw Unexpected("',' or FROM", items.Count > 0 && Current.Kind is TokenKind.EndOfInput or TokenKind.Semicolon
                ? "Every SELECT needs a FROM clause naming a stream or table."
                : null);
        }

        Take();
        var from = ParseRelation();

        WindowExpression? window = null;
        if (AtWord("WINDOW"))
        {
            window = ParseWindow();
        }

        SqlExpression? where = null;
        if (TryWord("WHERE"))
        {
            where = ParseExpressionRule();
        }

        NodeList<SqlExpression>? groupBy = null;
        if (AtWord("GROUP"))
        {
            Take();
            ExpectWord("BY");
            groupBy = ParseGroupingList();
        }

        NodeList<SqlExpression>? partitionBy = null;
        if (AtWord("PARTITION") && PeekAt(1).IsWord("BY"))
        {
            Take();
            Take();
            partitionBy = ParseGroupingList();
        }

        SqlExpression? having = null;
        if (TryWord("HAVING"))
        {
            having = ParseExpressionRule();
        }

        EmitKind? emit = null;
        if (AtWord("EMIT") && (PeekAt(1).IsWord("CHANGES") || PeekAt(1).IsWord("FINAL")))
        {
            Take();
            emit = Take().Upper == "CHANGES" ? EmitKind.Changes : EmitKind.Final;
        }
        else if (AtWord("EMIT"))
        {
            Take();
            throw Unexpected("CHANGES or FINAL after EMIT");
        }

        int? limit = null;
        if (TryWord("LIMIT"))
        {
            limit = ParseIntegerValue("the number of rows after LIMIT");
        }

        return new Query(items, from, window, where, groupBy, partitionBy, having, emit, limit);
    }

    private SelectItem ParseSelectItem()
    {
        var start = Current.Location;
        if (At(TokenKind.Asterisk))
        {
            Take();
            return new AllColumns(null) { Location = start };
        }

        if (IsIdentifier(Current) && PeekAt(1).Kind == TokenKind.Dot && PeekAt(2).Kind == TokenKind.Asterisk)
        {
            var source = ParseIdentifier("a source name");
            Take();
            Take();
            return new AllColumns(source) { Location = start };
        }

        var expression = ParseExpressionRule();
        if (At(TokenKind.Arrow) && PeekAt(1).Kind == TokenKind.Asterisk)
        {
            Take();
            Take();
            return new StructAll(expression) { Location = start };
        }

        string? alias = null;
        if (TryWord("AS"))
        {
            alias = ParseIdentifier("an alias (a column name) after AS");
        }
        else if (IsIdentifier(Current) && !IsClauseStart())
        {
            alias = ParseIdentifier("an alias");
        }

        return new SingleColumn(expression, alias) { Location = start };
    }

    /// <summary>Non-reserved words that begin a clause here and so cannot be an alias without AS.</summary>
    private bool IsClauseStart() =>
        (AtWord("EMIT") && (PeekAt(1).IsWord("CHANGES") || PeekAt(1).IsWord("FINAL")))
        || (AtWord("PARTITION") && PeekAt(1).IsWord("BY"));

    private Relation ParseRelation()
    {
        var start = Current.Location;
        var left = ParseAliasedRelation();
        var joins = new List<JoinedSource>();
        while (true)
        {
            var joinStart = Current.Location;
            JoinType type;
            if (AtWord("JOIN"))
            {
                type = JoinType.Inner;
            }
            else if (TryWord("INNER"))
            {
                type = JoinType.Inner;
            }
            else if (TryWord("LEFT"))
            {
                TryWord("OUTER");
                type = JoinType.Left;
            }
            else if (TryWord("RIGHT"))
            {
                TryWord("OUTER");
                type = JoinType.Right;
            }
            else if (TryWord("FULL"))
            {
                TryWord("OUTER");
                type = JoinType.Outer;
            }
            else
            {
                break;
            }

            ExpectWord("JOIN");
            var right = ParseAliasedRelation();
            WithinExpression? within = null;
            if (AtWord("WITHIN"))
            {
                within = ParseWithin();
            }

            if (!AtWord("ON"))
            {
                throw Unexpected(within is null ? "WITHIN or ON after the joined source" : "ON after WITHIN");
            }

            Take();
            var on = ParseExpressionRule();
            joins.Add(new JoinedSource(type, right, within, on) { Location = joinStart });
        }

        return joins.Count == 0 ? left : new JoinRelation(left, joins) { Location = start };
    }

    private AliasedRelation ParseAliasedRelation()
    {
        var start = Current.Location;
        if (At(TokenKind.LeftParen))
        {
            throw Unexpected("a stream or table name", "Subqueries are not supported in FROM: create the inner query as a stream or table first (CREATE STREAM ... AS SELECT), then select from it.");
        }

        var source = ParseIdentifier("a stream or table name");
        if (At(TokenKind.LeftParen))
        {
            throw Unexpected("a stream or table name", $"'{source}' looks like a function call: table functions such as EXPLODE belong in the SELECT list, e.g. SELECT EXPLODE(col) FROM stream.");
        }

        string? alias = null;
        if (TryWord("AS"))
        {
            alias = ParseIdentifier("an alias after AS");
        }
        else if (IsIdentifier(Current) && !IsClauseStart())
        {
            alias = ParseIdentifier("an alias");
        }

        return new AliasedRelation(source, alias) { Location = start };
    }

    private WithinExpression ParseWithin()
    {
        var start = Take().Location;
        Duration before;
        Duration after;
        if (TryTake(TokenKind.LeftParen))
        {
            before = ParseDuration("the time before (a number)");
            Expect(TokenKind.Comma, ",");
            after = ParseDuration("the time after (a number)");
            Expect(TokenKind.RightParen, ")");
        }
        else
        {
            before = ParseDuration("the join window size (a number), e.g. WITHIN 10 SECONDS");
            after = before;
        }

        Duration? grace = null;
        if (TryWord("GRACE"))
        {
            ExpectWord("PERIOD");
            grace = ParseDuration("the grace period (a number)");
        }

        return new WithinExpression(before, after, grace) { Location = start };
    }

    private WindowExpression ParseWindow()
    {
        var start = Take().Location;
        if (Current.Kind == TokenKind.Word && !AtWord("TUMBLING") && !AtWord("HOPPING") && !AtWord("SESSION") && IsIdentifier(Current))
        {
            // An optional window name, allowed (and ignored) by ksqlDB's grammar.
            Take();
        }

        WindowType type;
        if (TryWord("TUMBLING"))
        {
            type = WindowType.Tumbling;
        }
        else if (TryWord("HOPPING"))
        {
            type = WindowType.Hopping;
        }
        else if (TryWord("SESSION"))
        {
            type = WindowType.Session;
        }
        else
        {
            throw Unexpected("TUMBLING, HOPPING or SESSION");
        }

        Expect(TokenKind.LeftParen, "(");
        Duration size;
        Duration? advance = null;
        if (type == WindowType.Session)
        {
            size = ParseDuration("the session gap (a number), e.g. SESSION (5 MINUTES)");
        }
        else
        {
            ExpectWord("SIZE");
            size = ParseDuration("the window size (a number), e.g. SIZE 1 HOUR");
            if (type == WindowType.Hopping)
            {
                Expect(TokenKind.Comma, ",");
                ExpectWord("ADVANCE");
                ExpectWord("BY");
                advance = ParseDuration("the advance interval (a number)");
            }
        }

        Duration? retention = null;
        Duration? grace = null;
        while (TryTake(TokenKind.Comma))
        {
            if (retention is null && grace is null && TryWord("RETENTION"))
            {
                retention = ParseDuration("the retention (a number)");
            }
            else if (grace is null && TryWord("GRACE"))
            {
                ExpectWord("PERIOD");
                grace = ParseDuration("the grace period (a number)");
            }
            else
            {
                throw Unexpected(retention is null && grace is null ? "RETENTION or GRACE PERIOD" : "GRACE PERIOD");
            }
        }

        Expect(TokenKind.RightParen, ")");
        if (type == WindowType.Hopping && advance is not null && advance.Milliseconds > size.Milliseconds)
        {
            throw new SqlParseException($"Window advance must be less than or equal to the window size: ADVANCE BY {advance.Value} {advance.Unit.SqlName()} is larger than SIZE {size.Value} {size.Unit.SqlName()}.", advance.Location);
        }

        if (size.Milliseconds <= 0)
        {
            throw new SqlParseException("Window size must be greater than zero.", size.Location);
        }

        return new WindowExpression(type, size, advance, retention, grace) { Location = start };
    }

    private NodeList<SqlExpression> ParseGroupingList()
    {
        if (At(TokenKind.LeftParen))
        {
            // Either "(a, b)" / "()" (a parenthesised list) or an expression that starts with '('.
            var save = _index;
            Take();
            var items = new List<SqlExpression>();
            var ok = true;
            try
            {
                if (!At(TokenKind.RightParen))
                {
                    do
                    {
                        items.Add(ParseValueExpression());
                    }
                    while (TryTake(TokenKind.Comma));
                }

                ok = TryTake(TokenKind.RightParen) && IsGroupingEnd();
            }
            catch (SqlParseException)
            {
                ok = false;
            }

            if (ok)
            {
                return items;
            }

            _index = save;
        }

        var list = new List<SqlExpression>();
        do
        {
            list.Add(ParseValueExpression());
        }
        while (TryTake(TokenKind.Comma));

        return list;
    }

    private bool IsGroupingEnd() =>
        At(TokenKind.Semicolon) || At(TokenKind.EndOfInput) || At(TokenKind.RightParen)
        || (AtWord("PARTITION") && PeekAt(1).IsWord("BY")) || AtWord("HAVING") || AtWord("EMIT") || AtWord("LIMIT");
}
