using System.Text.Json;

namespace Eddy.Sql.Qtt;

/// <summary>
/// Reads ksqlDB query-validation test files (the JSON format of ksqlDB's
/// <c>query-validation-tests</c> and <c>rest-query-validation-tests</c>), tolerating comments and
/// trailing commas.
/// </summary>
/// <example>
/// <code>
/// foreach (var file in QttLoader.LoadDirectory("../shared/ksql-qtt"))
///     Console.WriteLine($"{file.Name}: {file.Tests.Count} cases");
/// </code>
/// </example>
public static class QttLoader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Every <c>*.json</c> file under a folder (recursively), in ordinal path order.</summary>
    public static IReadOnlyList<QttFile> LoadDirectory(string directory)
    {
        var files = Directory.GetFiles(directory, "*.json", SearchOption.AllDirectories);
        System.Array.Sort(files, StringComparer.Ordinal);
        var result = new List<QttFile>(files.Length);
        foreach (var f in files)
        {
            result.Add(LoadFile(f));
        }

        return result;
    }

    /// <summary>Reads one file.</summary>
    public static QttFile LoadFile(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads a file's JSON text.</summary>
    public static QttFile Parse(string json, string path)
    {
        using var doc = JsonDocument.Parse(json, Options);
        var root = doc.RootElement.Clone();
        var tests = new List<QttTestCase>();
        var isRest = false;
        if (root.TryGetProperty("tests", out var testsElement))
        {
            var index = 0;
            foreach (var t in testsElement.EnumerateArray())
            {
                var testCase = ReadCase(t, path, index++);
                isRest |= testCase.Responses.Count > 0 || testCase.ExpectedError is not null;
                tests.Add(testCase);
            }
        }

        return new QttFile(path, tests, Strings(root, "comments")) { IsRest = isRest };
    }

    private static QttTestCase ReadCase(JsonElement t, string path, int index)
    {
        var name = String(t, "name") ?? $"test {index}";
        if (!t.TryGetProperty("statements", out var statements) || statements.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: test '{name}' has no statements array.");
        }

        var properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (t.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in props.EnumerateObject())
            {
                properties[p.Name] = p.Value.Clone();
            }
        }

        QttExpectedException? expectedException = null;
        if (t.TryGetProperty("expectedException", out var ee) && ee.ValueKind == JsonValueKind.Object)
        {
            expectedException = new QttExpectedException(String(ee, "type"), String(ee, "message"));
        }

        QttExpectedError? expectedError = null;
        if (t.TryGetProperty("expectedError", out var er) && er.ValueKind == JsonValueKind.Object)
        {
            expectedError = new QttExpectedError(String(er, "type"), String(er, "message"), er.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Number ? st.GetInt32() : null);
        }

        return new QttTestCase
        {
            Name = name,
            Statements = Strings(t, "statements"),
            Formats = Strings(t, "format"),
            Configs = Strings(t, "config"),
            Properties = properties,
            Topics = Array(t, "topics").Select(ReadTopic).ToArray(),
            Inputs = Array(t, "inputs").Select(r => ReadRecord(r, path, name)).ToArray(),
            Outputs = Array(t, "outputs").Select(r => ReadRecord(r, path, name)).ToArray(),
            ExpectedException = expectedException,
            ExpectedError = expectedError,
            Responses = Array(t, "responses").Select(r => r.Clone()).ToArray(),
            Post = t.TryGetProperty("post", out var post) && post.ValueKind == JsonValueKind.Object ? ReadPost(post) : null,
            Enabled = !t.TryGetProperty("enabled", out var en) || en.ValueKind != JsonValueKind.False,
            Raw = t.Clone(),
        };
    }

    private static QttTopic ReadTopic(JsonElement t) => new()
    {
        Name = String(t, "name") ?? string.Empty,
        Format = String(t, "format"),
        KeyFormat = String(t, "keyFormat"),
        ValueFormat = String(t, "valueFormat"),
        KeySchema = t.TryGetProperty("keySchema", out var ks) ? ks.Clone() : null,
        ValueSchema = t.TryGetProperty("valueSchema", out var vs) ? vs.Clone() : null,
        KeySchemaId = Int(t, "keySchemaId"),
        ValueSchemaId = Int(t, "valueSchemaId"),
        Partitions = Int(t, "partitions"),
        Raw = t.Clone(),
    };

    private static QttRecord ReadRecord(JsonElement r, string path, string testName)
    {
        QttWindow? window = null;
        if (r.TryGetProperty("window", out var w) && w.ValueKind == JsonValueKind.Object)
        {
            window = new QttWindow(Long(w, "start") ?? 0, Long(w, "end") ?? 0, String(w, "type") ?? "time");
        }

        List<QttHeader>? headers = null;
        if (r.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Array)
        {
            headers = [];
            foreach (var header in h.EnumerateArray())
            {
                var key = String(header, "KEY") ?? String(header, "key") ?? string.Empty;
                var value = String(header, "VALUE") ?? String(header, "value");
                headers.Add(new QttHeader(key, value is null ? null : Convert.FromBase64String(value)));
            }
        }

        var topic = String(r, "topic") ?? throw new InvalidDataException($"{path}: a record of test '{testName}' has no topic.");
        return new QttRecord
        {
            Topic = topic,
            Key = r.TryGetProperty("key", out var k) ? k.Clone() : null,
            Value = r.TryGetProperty("value", out var v) ? v.Clone() : default,
            Timestamp = Long(r, "timestamp"),
            Window = window,
            Headers = headers,
        };
    }

    private static QttPost ReadPost(JsonElement post)
    {
        var sources = new List<QttPostSource>();
        foreach (var s in Array(post, "sources"))
        {
            string? keyFormat = null;
            string? windowType = null;
            long? windowSize = null;
            if (s.TryGetProperty("keyFormat", out var kf))
            {
                if (kf.ValueKind == JsonValueKind.String)
                {
                    keyFormat = kf.GetString();
                }
                else if (kf.ValueKind == JsonValueKind.Object)
                {
                    keyFormat = String(kf, "format");
                    windowType = String(kf, "windowType");
                    windowSize = Long(kf, "windowSize");
                }
            }

            sources.Add(new QttPostSource
            {
                Name = String(s, "name") ?? string.Empty,
                Type = String(s, "type") ?? "stream",
                Schema = String(s, "schema"),
                KeyFormat = keyFormat,
                WindowType = windowType,
                WindowSize = windowSize,
                ValueFormat = s.TryGetProperty("valueFormat", out var vf) ? (vf.ValueKind == JsonValueKind.String ? vf.GetString() : String(vf, "format")) : null,
                KeyFeatures = Strings(s, "keyFeatures"),
                ValueFeatures = Strings(s, "valueFeatures"),
                Raw = s.Clone(),
            });
        }

        var topics = new List<QttTopic>();
        string? blacklist = null;
        if (post.TryGetProperty("topics", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            blacklist = String(t, "blacklist");
            topics.AddRange(Array(t, "topics").Select(ReadTopic));
        }

        return new QttPost(sources, topics, blacklist);
    }

    private static JsonElement[] Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray()] : [];

    private static string[] Strings(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var a))
        {
            return [];
        }

        if (a.ValueKind == JsonValueKind.String)
        {
            return [a.GetString()!];
        }

        if (a.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var list = new List<string>();
        foreach (var item in a.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
        }

        return [.. list];
    }

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => v.GetRawText(),
            }
            : null;

    private static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}
