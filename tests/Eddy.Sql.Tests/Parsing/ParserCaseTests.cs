using Eddy.Sql.Ast;

namespace Eddy.Sql.Tests.Parsing;

/// <summary>
/// Runs Cases/Parser/*.sql. Cases are blocks separated by blank lines: SQL, then either
/// <c>=&gt; canonical form</c> (the statement printed back by <see cref="SqlFormatter"/>; reparsing it must
/// give an equal tree) or <c>!! error text</c> (a substring of the error, which must carry a position).
/// Lines starting with <c>--</c> before the SQL are comments.
/// </summary>
public sealed class ParserCaseTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.CasesDirectory, "Parser"), "*.sql").Order(StringComparer.Ordinal))
        {
            foreach (var (line, _) in Blocks(File.ReadAllLines(file)))
            {
                data.Add(Path.GetFileName(file), line);
            }
        }

        return data;
    }

    private static IEnumerable<(int Line, List<string> Lines)> Blocks(string[] lines)
    {
        var current = new List<string>();
        var start = 0;
        for (var i = 0; i <= lines.Length; i++)
        {
            if (i == lines.Length || lines[i].Trim().Length == 0)
            {
                var content = current.Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal) || l.TrimStart().StartsWith("=>", StringComparison.Ordinal)).ToList();
                if (content.Count > 0)
                {
                    yield return (start + 1, current);
                }

                current = [];
                start = i + 1;
                continue;
            }

            if (current.Count == 0)
            {
                start = i;
            }

            current.Add(lines[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parser_case(string file, int line)
    {
        var block = Blocks(File.ReadAllLines(Path.Combine(TestPaths.CasesDirectory, "Parser", file))).Single(b => b.Line == line).Lines;
        var sqlLines = block.TakeWhile(l => !l.StartsWith("=> ", StringComparison.Ordinal) && !l.StartsWith("!! ", StringComparison.Ordinal))
            .SkipWhile(l => l.TrimStart().StartsWith("--", StringComparison.Ordinal))
            .ToList();
        var sql = string.Join("\n", sqlLines);
        var expectation = block.Skip(block.IndexOf(sqlLines[^1]) + 1).ToList();
        Assert.True(expectation.Count > 0, $"{file}:{line}: a case ends with '=> ...' or '!! ...'");
        if (expectation[0].StartsWith("!! ", StringComparison.Ordinal))
        {
            var e = Assert.ThrowsAny<SqlParseException>(() => SqlParser.ParseStatements(sql));
            foreach (var part in expectation.Select(x => x[3..]))
            {
                Assert.Contains(part.Replace("\\n", "\n", StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
            }

            return;
        }

        var expected = string.Join(" ", expectation.Select(x => x[3..]));
        var statements = SqlParser.ParseStatements(sql);
        var printed = string.Join("; ", statements.Select(s => SqlFormatter.Format(s.Statement)));
        Assert.Equal(expected, printed);

        // The printed form reads back to the same tree.
        var again = SqlParser.ParseStatements(printed);
        Assert.Equal(statements.Select(s => s.Statement), again.Select(s => s.Statement));
    }

    [Fact]
    public void Statement_text_and_positions_are_kept()
    {
        var statements = SqlParser.ParseStatements("SHOW STREAMS;\n  -- comment\n  DESCRIBE orders EXTENDED ;\nSELECT *\nFROM t EMIT CHANGES");
        Assert.Equal(3, statements.Count);
        Assert.Equal("SHOW STREAMS;", statements[0].Text);
        Assert.Equal("DESCRIBE orders EXTENDED ;", statements[1].Text);
        Assert.Equal(new SourceLocation(3, 3, 29), statements[1].Location);
        Assert.Equal("SELECT *\nFROM t EMIT CHANGES", statements[2].Text);
        var query = (Query)statements[2].Statement;
        Assert.Equal(5, query.From.Location.Line);
        Assert.Equal(6, query.From.Location.Column);
    }

    [Fact]
    public void Variables_are_substituted_before_parsing()
    {
        var vars = new Dictionary<string, string> { ["topic"] = "orders", ["col"] = "amount", ["fmt"] = "JSON" };
        var s = (CreateSource)SqlParser.ParseStatement(SqlParser.SubstituteVariables("CREATE STREAM s (${col} INT) WITH (kafka_topic='${topic}', value_format='${FMT}');", vars));
        Assert.Equal("AMOUNT", s.Elements[0].Name);
        Assert.Equal("orders", ((StringLiteral)s.Properties[0].Value).Value);
        Assert.Equal("JSON", ((StringLiteral)s.Properties[1].Value).Value);
        var e = Assert.Throws<SqlParseException>(() => SqlParser.SubstituteVariables("SELECT ${missing} FROM t;", vars));
        Assert.Contains("Undefined variable: ${missing}", e.Message, StringComparison.Ordinal);
        Assert.Equal("SELECT '${x}' FROM t;", SqlParser.SubstituteVariables("SELECT '${x}' FROM t;", vars));
        Assert.Equal("SELECT 'it''s' FROM t;", SqlParser.SubstituteVariables("SELECT '${q}' FROM t;", new Dictionary<string, string> { ["q"] = "it's" }));
    }

    [Fact]
    public void Trees_compare_by_structure_not_position()
    {
        Assert.Equal(SqlParser.ParseExpression("a + 1"), SqlParser.ParseExpression("A+1"));
        Assert.NotEqual(SqlParser.ParseExpression("a + 1"), SqlParser.ParseExpression("a + 2"));
        Assert.Equal(SqlParser.ParseExpression("f(x, ARRAY[1])").GetHashCode(), SqlParser.ParseExpression("F( x , ARRAY[ 1 ] )").GetHashCode());
    }

    [Fact]
    public void Types_and_column_lists_parse_on_their_own()
    {
        Assert.Equal("MAP<STRING, ARRAY<DECIMAL(10, 2)>>", SqlParser.ParseType("MAP<VARCHAR, DECIMAL(10,2) ARRAY>").ToString());
        Assert.Equal("STRUCT<`a` INTEGER, `B` BOOLEAN>", SqlParser.ParseType("STRUCT<`a` INT, b BOOLEAN>").ToString());
        var columns = SqlParser.ParseColumns("ID BIGINT KEY, NAME STRING, H BYTES HEADER('trace')");
        Assert.Equal(3, columns.Count);
        Assert.Equal(ColumnConstraint.Header, columns[2].Constraint);
        Assert.Equal("trace", columns[2].HeaderKey);
        var e = Assert.Throws<SqlException>(() => SqlParser.ParseType("ADDRESS"));
        Assert.Contains("Cannot resolve unknown type: ADDRESS", e.Message, StringComparison.Ordinal);
        var registry = new Types.TypeRegistry();
        registry.Register("ADDRESS", Types.SqlTypes.Struct(("STREET", Types.SqlTypes.String)));
        Assert.Equal("ARRAY<STRUCT<`STREET` STRING>>", SqlParser.ParseType("ARRAY<address>", registry).ToString());
    }
}
