using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Eddy.Sql.Functions;
using Eddy.Sql.Internal.Formats;
using Eddy.Sql.Types;

namespace Eddy.Sql.Internal.Functions.BuiltIn;

internal static class Json
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static JsonNode? Parse(string text, out bool valid)
    {
        try
        {
            var node = JsonNode.Parse(text, documentOptions: Options);
            valid = true;
            return node;
        }
        catch (JsonException)
        {
            valid = false;
            return null;
        }
    }

    public static string Text(JsonNode? node) => node is null ? "null" : node.ToJsonString();

    /// <summary>Evaluates a JSONPath such as <c>$.a.b[0]['c d']</c>; false when a step is missing.</summary>
    public static bool TryPath(JsonNode? root, string path, out JsonNode? result)
    {
        result = root;
        var p = path.Trim();
        if (!p.StartsWith('$'))
        {
            throw new ArgumentException($"Invalid JSON path '{path}': it must start with '$'.");
        }

        var i = 1;
        while (i < p.Length)
        {
            if (p[i] == '.')
            {
                var start = ++i;
                while (i < p.Length && p[i] != '.' && p[i] != '[')
                {
                    i++;
                }

                if (result is not JsonObject o || !o.TryGetPropertyValue(p[start..i], out result))
                {
                    return false;
                }
            }
            else if (p[i] == '[')
            {
                var close = p.IndexOf(']', i);
                if (close < 0)
                {
                    throw new ArgumentException($"Invalid JSON path '{path}': missing ']'.");
                }

                var inner = p[(i + 1)..close].Trim();
                i = close + 1;
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"'))
                {
                    if (result is not JsonObject o || !o.TryGetPropertyValue(inner[1..^1], out result))
                    {
                        return false;
                    }
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    if (result is not JsonArray a || index >= a.Count)
                    {
                        return false;
                    }

                    result = a[index];
                }
                else
                {
                    throw new ArgumentException($"Invalid JSON path '{path}': unsupported subscript [{inner}].");
                }
            }
            else
            {
                throw new ArgumentException($"Invalid JSON path '{path}' at position {i}.");
            }
        }

        return true;
    }
}

[SqlFunction("EXTRACTJSONFIELD", Category = "JSON", Description = "Given a STRING that contains JSON data, extract the value at the specified JSONPath or NULL if the specified path does not exist.")]
internal static class ExtractJsonFieldFunction
{
    [SqlOverload]
    public static string? ExtractJsonField(string? input, string? path)
    {
        if (input is null || path is null)
        {
            return null;
        }

        var root = Json.Parse(input, out var valid);
        if (!valid || !Json.TryPath(root, path, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node.ToJsonString();
    }
}

[SqlFunction("IS_JSON_STRING", Category = "JSON", Description = "Given a string, returns true if it can be parsed as a valid JSON value, false otherwise.")]
internal static class IsJsonStringFunction
{
    [SqlOverload]
    public static bool IsJsonString(string? input)
    {
        if (input is null)
        {
            return false;
        }

        Json.Parse(input, out var valid);
        return valid && input.Trim().Length > 0;
    }
}

[SqlFunction("JSON_ARRAY_CONTAINS", Category = "JSON", Description = "Parses a JSON array and determines whether or not the supplied value is contained within the array.")]
internal static class JsonArrayContainsFunction
{
    [SqlOverload]
    public static bool JsonArrayContains(string? json, [SqlParameter("val", Type = "T")] object? value)
    {
        if (json is null || Json.Parse(json, out _) is not JsonArray array)
        {
            return false;
        }

        foreach (var item in array)
        {
            if (Matches(item, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(JsonNode? item, object? value)
    {
        if (item is null)
        {
            return value is null;
        }

        if (value is null || item is not JsonValue v)
        {
            return false;
        }

        switch (v.GetValueKind())
        {
            case JsonValueKind.String:
                return value is string s && s == v.GetValue<string>();
            case JsonValueKind.True:
            case JsonValueKind.False:
                return value is bool b && b == (v.GetValueKind() == JsonValueKind.True);
            case JsonValueKind.Number:
            {
                var text = v.ToJsonString();
                return value switch
                {
                    int i => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && l == i,
                    long l2 => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l3) && l3 == l2,
                    double d => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d2) && d2 == d,
                    SqlDecimal m => SqlDecimal.TryParse(text, out var m2) && m2 == m,
                    _ => false,
                };
            }

            default:
                return false;
        }
    }
}

[SqlFunction("JSON_ARRAY_LENGTH", Category = "JSON", Description = "Given a string, parses it as a JSON value and returns the length of the top-level array.")]
internal static class JsonArrayLengthFunction
{
    [SqlOverload]
    public static int? JsonArrayLength(string? json) => json is not null && Json.Parse(json, out _) is JsonArray a ? a.Count : null;
}

[SqlFunction("JSON_CONCAT", Category = "JSON", Description = "Given N strings, parse them as JSON values and return a string representing their concatenation: objects merge, anything else concatenates as arrays.")]
internal static class JsonConcatFunction
{
    [SqlOverload]
    public static string? JsonConcat(params string?[] inputs)
    {
        if (inputs.Length == 0)
        {
            return null;
        }

        var nodes = new List<JsonNode?>();
        foreach (var input in inputs)
        {
            if (input is null)
            {
                return null;
            }

            var node = Json.Parse(input, out var valid);
            if (!valid)
            {
                return null;
            }

            nodes.Add(node);
        }

        if (nodes.All(n => n is JsonObject))
        {
            var merged = new JsonObject();
            foreach (var o in nodes.Cast<JsonObject>())
            {
                foreach (var kv in o)
                {
                    merged[kv.Key] = kv.Value?.DeepClone();
                }
            }

            return merged.ToJsonString();
        }

        var array = new JsonArray();
        foreach (var n in nodes)
        {
            if (n is JsonArray a)
            {
                foreach (var item in a)
                {
                    array.Add(item?.DeepClone());
                }
            }
            else
            {
                array.Add(n?.DeepClone());
            }
        }

        return array.ToJsonString();
    }
}

[SqlFunction("JSON_ITEMS", Category = "JSON", Description = "Given a string with a JSON array, converts it to an array of JSON strings.")]
internal static class JsonItemsFunction
{
    [SqlOverload(ReturnType = "ARRAY<STRING>")]
    public static List<object?>? JsonItems(string? json) =>
        json is not null && Json.Parse(json, out _) is JsonArray a ? a.Select(n => (object?)Json.Text(n)).ToList() : null;
}

[SqlFunction("JSON_KEYS", Category = "JSON", Description = "Given a string, parses it as a JSON object and returns an array of strings representing the top-level keys.")]
internal static class JsonKeysFunction
{
    [SqlOverload(ReturnType = "ARRAY<STRING>")]
    public static List<object?>? JsonKeys(string? json) =>
        json is not null && Json.Parse(json, out _) is JsonObject o ? o.Select(kv => (object?)kv.Key).ToList() : null;
}

[SqlFunction("JSON_RECORDS", Category = "JSON", Description = "Given a string, parses it as a JSON object and returns a map of the top-level keys to their values as JSON strings.")]
internal static class JsonRecordsFunction
{
    [SqlOverload(ReturnType = "MAP<STRING, STRING>")]
    public static Dictionary<object, object?>? JsonRecords(string? json)
    {
        if (json is null || Json.Parse(json, out _) is not JsonObject o)
        {
            return null;
        }

        var map = new Dictionary<object, object?>(SqlValueComparer.Instance);
        foreach (var kv in o)
        {
            map[kv.Key] = Json.Text(kv.Value);
        }

        return map;
    }
}

[SqlFunction("TO_JSON_STRING", Category = "JSON", Description = "Given any SQL value returns the equivalent JSON string.")]
internal static class ToJsonStringFunction
{
    [SqlOverload]
    public static string ToJsonString([SqlParameter("val", Type = "T")] object? value) => JsonValues.ToJsonText(value);
}

internal static partial class Urls
{
    [GeneratedRegex(@"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex UriPattern();

    public sealed record Parts(string? Scheme, string? Authority, string Path, string? Query, string? Fragment)
    {
        public string? Host
        {
            get
            {
                if (Authority is null)
                {
                    return null;
                }

                var a = Authority;
                var at = a.LastIndexOf('@');
                if (at >= 0)
                {
                    a = a[(at + 1)..];
                }

                if (a.StartsWith('['))
                {
                    var close = a.IndexOf(']', StringComparison.Ordinal);
                    return close < 0 ? null : a[..(close + 1)];
                }

                var colon = a.LastIndexOf(':');
                var host = colon >= 0 ? a[..colon] : a;
                return host.Length == 0 ? null : host;
            }
        }

        public int? Port
        {
            get
            {
                if (Authority is null)
                {
                    return null;
                }

                var a = Authority;
                var close = a.LastIndexOf(']');
                var colon = a.LastIndexOf(':');
                if (colon < 0 || colon < close)
                {
                    return null;
                }

                return int.TryParse(a.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
            }
        }
    }

    public static Parts? Parse(string? url)
    {
        if (url is null || url.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }

        var m = UriPattern().Match(url);
        if (!m.Success)
        {
            return null;
        }

        static string? Group(Match m, int i) => m.Groups[i].Success ? m.Groups[i].Value : null;
        return new Parts(Group(m, 1), Group(m, 2), m.Groups[3].Value, Group(m, 4), Group(m, 5));
    }

    public static string? Decode(string? s)
    {
        if (s is null)
        {
            return null;
        }

        try
        {
            return Uri.UnescapeDataString(s);
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    public static string? DecodeParam(string? s) => s is null ? null : DecodeForm(s);

    private static string DecodeForm(string s)
    {
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%' && i + 2 < s.Length && Uri.IsHexDigit(s[i + 1]) && Uri.IsHexDigit(s[i + 2]))
            {
                bytes.Add((byte)Convert.ToInt32(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '%')
            {
                throw new ArgumentException($"Invalid escape in '{s}'.");
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public static string EncodeParam(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*' or '_')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}

[SqlFunction("URL_DECODE_PARAM", Category = "URL", Description = "Decodes a previously encoded application/x-www-form-urlencoded String.")]
internal static class UrlDecodeParamFunction
{
    [SqlOverload]
    public static string? UrlDecodeParam(string? input) => Urls.DecodeParam(input);
}

[SqlFunction("URL_ENCODE_PARAM", Category = "URL", Description = "Returns a version of the input with all URL sensitive characters encoded using the application/x-www-form-urlencoded standard.")]
internal static class UrlEncodeParamFunction
{
    [SqlOverload]
    public static string? UrlEncodeParam(string? input) => input is null ? null : Urls.EncodeParam(input);
}

[SqlFunction("URL_EXTRACT_FRAGMENT", Category = "URL", Description = "Extracts the fragment of a URL.")]
internal static class UrlExtractFragmentFunction
{
    [SqlOverload]
    public static string? UrlExtractFragment(string? url) => Urls.Decode(Urls.Parse(url)?.Fragment);
}

[SqlFunction("URL_EXTRACT_HOST", Category = "URL", Description = "Extracts the host name of a URL.")]
internal static class UrlExtractHostFunction
{
    [SqlOverload]
    public static string? UrlExtractHost(string? url) => Urls.Parse(url)?.Host;
}

[SqlFunction("URL_EXTRACT_PARAMETER", Category = "URL", Description = "Extracts the (decoded) value of a query parameter of a URL; NULL when absent.")]
internal static class UrlExtractParameterFunction
{
    [SqlOverload]
    public static string? UrlExtractParameter(string? url, string? name)
    {
        var query = Urls.Parse(url)?.Query;
        if (query is null || name is null)
        {
            return null;
        }

        foreach (var pair in query.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Urls.DecodeParam(eq < 0 ? pair : pair[..eq]);
            if (key == name)
            {
                return eq < 0 ? null : Urls.DecodeParam(pair[(eq + 1)..]);
            }
        }

        return null;
    }
}

[SqlFunction("URL_EXTRACT_PATH", Category = "URL", Description = "Extracts the (decoded) path of a URL.")]
internal static class UrlExtractPathFunction
{
    [SqlOverload]
    public static string? UrlExtractPath(string? url) => Urls.Parse(url) is { } p ? Urls.Decode(p.Path) : null;
}

[SqlFunction("URL_EXTRACT_PORT", Category = "URL", Description = "Extracts the port of a URL, or NULL when it has none.")]
internal static class UrlExtractPortFunction
{
    [SqlOverload]
    public static int? UrlExtractPort(string? url) => Urls.Parse(url)?.Port;
}

[SqlFunction("URL_EXTRACT_PROTOCOL", Category = "URL", Description = "Extracts the scheme (protocol) of a URL.")]
internal static class UrlExtractProtocolFunction
{
    [SqlOverload]
    public static string? UrlExtractProtocol(string? url) => Urls.Parse(url)?.Scheme;
}

[SqlFunction("URL_EXTRACT_QUERY", Category = "URL", Description = "Extracts the (decoded) query of a URL, if it exists.")]
internal static class UrlExtractQueryFunction
{
    [SqlOverload]
    public static string? UrlExtractQuery(string? url) => Urls.Decode(Urls.Parse(url)?.Query);
}
