using System.Text;
using System.Text.Json;
using Eddy.Sql.Ast;
using Eddy.Sql.Expressions;
using Eddy.Sql.Formats;
using Eddy.Sql.Functions;
using Eddy.Sql.Types;

namespace Eddy.Sql.Tests.Formats;

/// <summary>
/// Runs Cases/Formats/*.json: each case names a format, key or value, columns, options, the bytes
/// (as text, or hex) and the row (SQL literals, one per column). Deserializing the bytes must give
/// the row; serializing the row must give the bytes back (unless "write" gives other bytes, or
/// "readOnly" is set); "error" expects a failure containing the text.
/// </summary>
public sealed class FormatCaseTests
{
    private static readonly ExpressionCompiler Compiler = new(new FunctionRegistry());

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.CasesDirectory, "Formats"), "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                data.Add(Path.GetFileName(file), c.GetProperty("name").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_case(string file, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.CasesDirectory, "Formats", file)));
        var c = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var format = SqlFormats.Get(c.GetProperty("format").GetString()!);
        var target = c.TryGetProperty("target", out var t) && t.GetString() == "key" ? FormatTarget.Key : FormatTarget.Value;
        var columns = c.GetProperty("columns").GetString() is { Length: > 0 } cols
            ? SqlParser.ParseColumns(cols).Select(e => new Column(e.Name, e.Type.Resolve(null))).ToArray()
            : [];
        var options = FormatOptions.Default;
        if (c.TryGetProperty("wrap", out var wrap))
        {
            options = options with { WrapSingleValue = wrap.GetBoolean() };
        }

        if (c.TryGetProperty("delimiter", out var delimiter))
        {
            options = options with { Delimiter = FormatOptions.ParseDelimiter(delimiter.GetString()!) };
        }

        byte[]? bytes = null;
        if (c.TryGetProperty("text", out var text))
        {
            bytes = text.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetBytes(text.GetString()!);
        }
        else if (c.TryGetProperty("hex", out var hex))
        {
            bytes = Convert.FromHexString(hex.GetString()!);
        }

        if (c.TryGetProperty("error", out var error))
        {
            var e = Assert.ThrowsAny<SqlException>(() =>
            {
                format.Validate(columns, target, options);
                format.CreateDeserializer(columns, target, options).Deserialize(bytes, bytes is null);
            });
            Assert.Contains(error.GetString()!, e.Message, StringComparison.Ordinal);
            return;
        }

        var expectedRow = c.GetProperty("row").ValueKind == JsonValueKind.Null
            ? null
            : c.GetProperty("row").EnumerateArray().Select((v, i) => Value(v.GetString()!, columns[i].Type)).ToArray();
        var actualRow = format.CreateDeserializer(columns, target, options).Deserialize(bytes, bytes is null);
        AssertRows(expectedRow, actualRow);

        if (c.TryGetProperty("readOnly", out var ro) && ro.GetBoolean())
        {
            return;
        }

        var written = format.CreateSerializer(columns, target, options).Serialize(expectedRow);
        var expectedBytes = bytes;
        if (c.TryGetProperty("write", out var w))
        {
            expectedBytes = w.ValueKind == JsonValueKind.Null ? null : Encoding.UTF8.GetBytes(w.GetString()!);
        }

        Assert.Equal(Show(expectedBytes), Show(written));
    }

    private static string Show(byte[]? b) => b is null ? "<null>" : Encoding.UTF8.GetString(b) + " [" + Convert.ToHexString(b) + "]";

    private static void AssertRows(object?[]? expected, object?[]? actual)
    {
        if (expected is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var same = expected[i] is SqlDecimal e && actual[i] is SqlDecimal a
                ? e.ToPlainString() == a.ToPlainString()
                : SqlValues.ValueEquals(expected[i], actual[i]);
            Assert.True(same, $"column {i}: expected {SqlValues.ToJavaString(expected[i])}, got {SqlValues.ToJavaString(actual[i])}");
        }
    }

    private static object? Value(string sql, SqlType type) =>
        sql == "NULL" ? null : Compiler.Compile(new Cast(SqlParser.ParseExpression(sql), new BuiltInTypeRef(type)), new RowScope([])).Evaluate([]);
}
