using System.Text.Json;
using Eddy.Cli.Shell;

namespace Eddy.Cli.Tests.Sql;

public class StatementSplitterTests
{
    [Fact]
    public void Splits_at_semicolons_and_keeps_the_unfinished_tail()
    {
        var result = StatementSplitter.Split("SHOW STREAMS;\nSELECT * FROM s\n  WHERE x = 1; CREATE STREAM t");
        Assert.Equal(["SHOW STREAMS;", "SELECT * FROM s\n  WHERE x = 1;"], result.Statements);
        Assert.Equal(" CREATE STREAM t", result.Remainder);
        Assert.False(result.IsComplete);
    }

    [Theory]
    [InlineData("INSERT INTO s VALUES ('a;b', 'it''s; here');", 1)]
    [InlineData("SELECT `odd;name`, \"x;y\" FROM s;", 1)]
    [InlineData("SHOW STREAMS; -- trailing; comment\n", 1)]
    [InlineData("/* a; b */ SHOW TABLES; /* c; */", 1)]
    [InlineData(";;  ; -- nothing\n;", 0)]
    public void Semicolons_inside_quotes_and_comments_do_not_end_a_statement(string text, int count)
    {
        var result = StatementSplitter.Split(text);
        Assert.Equal(count, result.Statements.Count);
        Assert.True(result.IsComplete, $"remainder: '{result.Remainder}'");
    }

    [Theory]
    [InlineData("INSERT INTO s VALUES ('open;")]
    [InlineData("SHOW STREAMS; /* still typing;")]
    [InlineData("SELECT \"quoted;")]
    [InlineData("SELECT 1")]
    public void Open_quotes_and_comments_keep_the_statement_pending(string text) =>
        Assert.False(StatementSplitter.Split(text).IsComplete);

    [Theory]
    [InlineData("SELECT * FROM s EMIT CHANGES;", true)]
    [InlineData("select *\nfrom s\nemit  final limit 3;", true)]
    [InlineData("SELECT * FROM t WHERE k = 'emit changes';", false)]
    [InlineData("SELECT * FROM t; -- EMIT CHANGES", false)]
    public void Push_queries_are_told_from_pull_queries_by_their_emit_clause(string statement, bool push) =>
        Assert.Equal(push, SqlShell.IsPushQuery(statement));

    [Fact]
    public void Leading_words_skip_comments()
    {
        Assert.Equal(["SELECT", "*"], StatementSplitter.LeadingWords("-- why\n/* what */ select * from s;", 2));
        Assert.Equal(["SET"], StatementSplitter.LeadingWords("set 'a'='b';", 1));
    }
}

public class TableRenderingTests
{
    [Fact]
    public void Listing_has_ksql_layout()
    {
        var output = new StringWriter();
        ListingTable.Write(output, ["Stream Name", "Kafka Topic"], [["PAGEVIEWS", "pageviews"], ["S", "a-much-longer-topic"]]);
        Assert.Equal(
            """
             Stream Name | Kafka Topic
            -----------------------------------
             PAGEVIEWS   | pageviews
             S           | a-much-longer-topic
            -----------------------------------

            """.ReplaceLineEndings("\n"),
            output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Pull_grid_fits_content_and_wraps_values_wider_than_the_terminal()
    {
        var rows = new List<IReadOnlyList<string>> { new[] { "k1", "short" }, new[] { "k2", new string('x', 33) } };
        var grid = RowGrid.FitToContent(["ID", "VALUE"], rows, terminalWidth: 20);
        Assert.Equal([2, 15], grid.Widths);
        var output = new StringWriter();
        grid.WriteHeader(output);
        foreach (var row in rows)
        {
            grid.WriteRow(output, row);
        }
        grid.WriteBorder(output);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.Equal(20, l.Length));
        Assert.Equal("+--+---------------+", lines[0]);
        Assert.Equal("|ID|VALUE          |", lines[1]);
        Assert.Equal("|k1|short          |", lines[3]);
        // 33 characters in a 15-wide cell: three lines, the key only on the first.
        Assert.Equal("|k2|xxxxxxxxxxxxxxx|", lines[4]);
        Assert.Equal("|  |xxx            |", lines[6]);
        Assert.Equal(8, lines.Count);
    }

    [Fact]
    public void Push_grid_splits_the_terminal_width_evenly()
    {
        var grid = RowGrid.ForTerminal(["A", "B", "C"], terminalWidth: 40);
        Assert.Equal([12, 12, 12], grid.Widths);
    }

    [Fact]
    public void Cells_show_strings_bare_and_other_values_as_json()
    {
        var row = JsonDocument.Parse("""["a", 1.5, null, {"X":1}, [1,2], true]""").RootElement;
        Assert.Equal(["a", "1.5", "null", """{"X":1}""", "[1,2]", "true"], row.EnumerateArray().Select(RowGrid.Cell));
    }

    [Fact]
    public void Describe_shows_types_and_key_columns_as_ksql_does()
    {
        var entity = JsonDocument.Parse("""
            {"@type":"sourceDescription","statementText":"DESCRIBE T;","warnings":[],"sourceDescription":{
              "name":"T","type":"TABLE","extended":false,"readQueries":[],"writeQueries":[],
              "fields":[
                {"name":"ID","schema":{"type":"STRING"},"type":"KEY"},
                {"name":"AMOUNT","schema":{"type":"DECIMAL","parameters":{"precision":10,"scale":2}}},
                {"name":"TAGS","schema":{"type":"ARRAY","memberSchema":{"type":"STRING"}}},
                {"name":"ADDR","schema":{"type":"STRUCT","fields":[{"name":"CITY","schema":{"type":"STRING"}}]}}]}}
            """).RootElement;
        var output = new StringWriter();
        EntityPrinter.Print(output, entity);
        var text = output.ToString();
        Assert.StartsWith("Name                 : T", text, StringComparison.Ordinal);
        Assert.Contains(" ID     | VARCHAR(STRING)  (primary key)", text, StringComparison.Ordinal);
        Assert.Contains(" AMOUNT | DECIMAL(10, 2)", text, StringComparison.Ordinal);
        Assert.Contains(" TAGS   | ARRAY<VARCHAR(STRING)>", text, StringComparison.Ordinal);
        Assert.Contains(" ADDR   | STRUCT<CITY VARCHAR(STRING)>", text, StringComparison.Ordinal);
        Assert.Contains("DESCRIBE <Stream,Table> EXTENDED;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_entities_are_printed_as_json_and_warnings_are_shown()
    {
        var entity = JsonDocument.Parse("""{"@type":"something_new","value":42,"warnings":[{"message":"careful"}]}""").RootElement;
        var output = new StringWriter();
        EntityPrinter.Print(output, entity);
        Assert.Contains("\"value\": 42", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("WARNING: careful", output.ToString(), StringComparison.Ordinal);
    }
}

public class CompletionTests
{
    private static SqlCompleter Completer()
    {
        var completer = new SqlCompleter();
        completer.SetNames(["PAGEVIEWS", "PAGEVIEWS_BY_USER", "USERS"]);
        return completer;
    }

    [Fact]
    public void Completes_keywords_in_the_case_typed()
    {
        var completer = Completer();
        Assert.Equal(["SELECT"], completer.Complete("SEL", 3, out int start));
        Assert.Equal(0, start);
        Assert.Equal(["select"], completer.Complete("sel", 3, out _));
        Assert.Equal(["STREAM", "STREAMS", "STRING", "STRUCT"], completer.Complete("SHOW STR", 8, out start));
        Assert.Equal(5, start);
    }

    [Fact]
    public void Completes_stream_and_table_names_at_the_cursor()
    {
        var completer = Completer();
        var candidates = completer.Complete("SELECT * FROM pagev WHERE", 19, out int start);
        Assert.Equal(["PAGEVIEWS", "PAGEVIEWS_BY_USER"], candidates);
        Assert.Equal(14, start);
        Assert.Equal("PAGEVIEWS", SqlCompleter.CommonPrefix(candidates));
        Assert.Equal(["USERS"], completer.Complete("SELECT * FROM ", 14, out _).Where(c => c.StartsWith('U')));
    }

    [Fact]
    public void Shell_commands_complete_only_as_the_first_word_and_nothing_inside_strings()
    {
        var completer = Completer();
        Assert.Contains("HISTORY", completer.Complete("HIS", 3, out _));
        Assert.DoesNotContain("HISTORY", completer.Complete("SELECT HIS", 10, out _));
        Assert.Empty(completer.Complete("INSERT INTO USERS VALUES ('pag", 30, out _));
    }

    [Fact]
    public void Cli_commands_are_recognised_with_or_without_semicolon()
    {
        Assert.Equal("EXIT", SqlShell.TryParseCliCommand("exit")?.Name);
        Assert.Equal("QUIT", SqlShell.TryParseCliCommand(" QUIT; ")?.Name);
        Assert.Equal(new CliCommand("OUTPUT", "JSON"), SqlShell.TryParseCliCommand("output JSON"));
        Assert.Equal("RUN SCRIPT", SqlShell.TryParseCliCommand("RUN SCRIPT '/tmp/x.sql'")?.Name);
        Assert.Null(SqlShell.TryParseCliCommand("SHOW STREAMS;"));
        Assert.Null(SqlShell.TryParseCliCommand("exit now"));
    }

    [Fact]
    public void History_survives_a_restart_and_keeps_multi_line_statements_on_one_line()
    {
        var path = Path.Combine(Path.GetTempPath(), "eddy-history-" + Guid.NewGuid().ToString("N"), "sql-history");
        try
        {
            var history = new LineHistory(path);
            history.Add("SHOW STREAMS;");
            history.Add("SELECT *\n  FROM s\n  EMIT CHANGES;");
            history.Add("SELECT *\n  FROM s\n  EMIT CHANGES;");
            Assert.Equal(["SHOW STREAMS;", "SELECT * FROM s EMIT CHANGES;"], new LineHistory(path).Entries);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
