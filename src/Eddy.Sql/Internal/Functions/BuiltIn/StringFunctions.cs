using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Eddy.Sql.Functions;

namespace Eddy.Sql.Internal.Functions.BuiltIn;

#pragma warning disable CA1308 // SQL LCASE lower-cases by definition.
#pragma warning disable CA5351 // MD5 is what the SQL function computes, not a security measure.

internal static class Text
{
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    public static Regex Pattern(string pattern) =>
        Patterns.Count > 1000
            ? new Regex(pattern, RegexOptions.CultureInvariant)
            : Patterns.GetOrAdd(pattern, p => new Regex(p, RegexOptions.CultureInvariant));

    public static byte[]? Decode(string? value, string? encoding)
    {
        if (value is null || encoding is null)
        {
            return null;
        }

        return encoding.ToLowerInvariant() switch
        {
            "hex" => Convert.FromHexString(value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value),
            "utf8" or "utf-8" => Encoding.UTF8.GetBytes(value),
            "ascii" => Encoding.ASCII.GetBytes(value),
            "base64" => Convert.FromBase64String(value),
            _ => throw new ArgumentException($"Unsupported encoding: {encoding}. Supported: hex, utf8, ascii, base64."),
        };
    }

    public static string? Encode(byte[]? value, string? encoding)
    {
        if (value is null || encoding is null)
        {
            return null;
        }

        return encoding.ToLowerInvariant() switch
        {
            "hex" => Convert.ToHexString(value),
            "utf8" or "utf-8" => Encoding.UTF8.GetString(value),
            "ascii" => Encoding.ASCII.GetString(value),
            "base64" => Convert.ToBase64String(value),
            _ => throw new ArgumentException($"Unsupported encoding: {encoding}. Supported: hex, utf8, ascii, base64."),
        };
    }
}

[SqlFunction("CHR", Category = "STRING", Description = "Returns a single-character string corresponding to the input character code.")]
internal static class ChrFunction
{
    [SqlOverload(Description = "The character of a Unicode code point.")]
    public static string? Chr(int? code) =>
        code is null or < 0 or > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) ? null : char.ConvertFromUtf32(code.Value);

    [SqlOverload(Description = "The character of a UTF-16 code written as \\uXXXX.")]
    public static string? Chr(string? utf16)
    {
        if (utf16 is null || utf16.Length < 6 || !utf16.StartsWith("\\u", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return int.TryParse(utf16.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code) ? Chr(code) : null;
    }
}

[SqlFunction("CONCAT", Category = "STRING", Description = "Concatenate an arbitrary number of string or bytes fields together; NULL inputs are skipped.")]
internal static class ConcatFunction
{
    [SqlOverload]
    public static string? Concat(params string?[] inputs) => string.Concat(inputs);

    [SqlOverload]
    public static byte[]? Concat(params byte[]?[] inputs)
    {
        var length = 0;
        foreach (var b in inputs)
        {
            length += b?.Length ?? 0;
        }

        var result = new byte[length];
        var pos = 0;
        foreach (var b in inputs)
        {
            if (b is not null)
            {
                b.CopyTo(result, pos);
                pos += b.Length;
            }
        }

        return result;
    }
}

[SqlFunction("CONCAT_WS", Category = "STRING", Description = "Concatenate several strings or bytes, inserting a separator passed as the first argument between each one.")]
internal static class ConcatWsFunction
{
    [SqlOverload]
    public static string? ConcatWs(string? separator, params string?[] inputs) =>
        separator is null ? null : string.Join(separator, inputs.Where(s => s is not null));

    [SqlOverload]
    public static byte[]? ConcatWs(byte[]? separator, params byte[]?[] inputs)
    {
        if (separator is null)
        {
            return null;
        }

        var parts = inputs.Where(b => b is not null).ToList();
        var result = new List<byte>();
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                result.AddRange(separator);
            }

            result.AddRange(parts[i]!);
        }

        return [.. result];
    }
}

[SqlFunction("ELT", Category = "STRING", Description = "ELT() returns the Nth element of the list of strings (1-based), or NULL when N is out of range.")]
internal static class EltFunction
{
    [SqlOverload]
    public static string? Elt(int? n, params string?[] args) => n is null || n < 1 || n > args.Length ? null : args[n.Value - 1];
}

[SqlFunction("ENCODE", Category = "STRING", Description = "Takes an input string s, which is encoded as input_encoding, and encodes it as output_encoding (hex, utf8, ascii, base64).")]
internal static class EncodeFunction
{
    [SqlOverload]
    public static string? Encode(string? input, string? inputEncoding, string? outputEncoding) =>
        Text.Encode(Text.Decode(input, inputEncoding), outputEncoding);
}

[SqlFunction("FIELD", Category = "STRING", Description = "Returns the position (1-indexed) of str in args, or 0 if not found.")]
internal static class FieldFunction
{
    [SqlOverload]
    public static int Field(string? str, params string?[] args)
    {
        if (str is null)
        {
            return 0;
        }

        for (var i = 0; i < args.Length; i++)
        {
            if (string.Equals(args[i], str, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return 0;
    }
}

[SqlFunction("FROM_BYTES", Category = "STRING", Description = "Converts a BYTES value to STRING in the specified encoding (hex, utf8, ascii, base64).")]
internal static class FromBytesFunction
{
    [SqlOverload]
    public static string? FromBytes(byte[]? bytes, string? encoding) => Text.Encode(bytes, encoding);
}

[SqlFunction("TO_BYTES", Category = "STRING", Description = "Converts a STRING value in the specified encoding (hex, utf8, ascii, base64) to BYTES.")]
internal static class ToBytesFunction
{
    [SqlOverload]
    public static byte[]? ToBytes(string? value, string? encoding) => Text.Decode(value, encoding);
}

[SqlFunction("INITCAP", Category = "STRING", Description = "Capitalizes the first letter of each word in a string and the rest lowercased.")]
internal static class InitCapFunction
{
    [SqlOverload]
    public static string? InitCap(string? s)
    {
        if (s is null)
        {
            return null;
        }

        var sb = new StringBuilder(s.Length);
        var start = true;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                start = true;
                sb.Append(c);
                continue;
            }

            sb.Append(start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            start = false;
        }

        return sb.ToString();
    }
}

[SqlFunction("INSTR", Category = "STRING", Description = "Returns the position (1-based) of substring in the provided string, or 0; a negative position searches backwards from the end.")]
internal static class InstrFunction
{
    [SqlOverload]
    public static int? Instr(string? str, string? substring) => Instr(str, substring, 1, 1);

    [SqlOverload]
    public static int? Instr(string? str, string? substring, int? position) => Instr(str, substring, position, 1);

    [SqlOverload]
    public static int? Instr(string? str, string? substring, int? position, int? occurrence)
    {
        if (str is null || substring is null || position is null || occurrence is null)
        {
            return null;
        }

        if (occurrence <= 0 || position == 0)
        {
            return 0;
        }

        var found = 0;
        if (position > 0)
        {
            var from = position.Value - 1;
            while (from <= str.Length)
            {
                var i = str.IndexOf(substring, from, StringComparison.Ordinal);
                if (i < 0)
                {
                    return 0;
                }

                if (++found == occurrence)
                {
                    return i + 1;
                }

                from = i + 1;
            }

            return 0;
        }

        var start = str.Length + position.Value;
        while (start >= 0)
        {
            var i = start + substring.Length > str.Length ? str.LastIndexOf(substring, StringComparison.Ordinal) : str.LastIndexOf(substring, Math.Min(str.Length - 1, start + substring.Length - 1), StringComparison.Ordinal);
            if (i < 0 || i > start)
            {
                if (i < 0)
                {
                    return 0;
                }

                start = i - 1;
                continue;
            }

            if (++found == occurrence)
            {
                return i + 1;
            }

            start = i - 1;
        }

        return 0;
    }
}

[SqlFunction("LCASE", Category = "STRING", Description = "Returns a lower-case version of the input string.")]
internal static class LCaseFunction
{
    [SqlOverload]
    public static string? LCase(string? s) => s?.ToLowerInvariant();
}

[SqlFunction("UCASE", Category = "STRING", Description = "Returns an upper-case version of the input string.")]
internal static class UCaseFunction
{
    [SqlOverload]
    public static string? UCase(string? s) => s?.ToUpperInvariant();
}

[SqlFunction("TRIM", Category = "STRING", Description = "Remove whitespace from the beginning and end of a string.")]
internal static class TrimFunction
{
    [SqlOverload]
    public static string? Trim(string? s)
    {
        if (s is null)
        {
            return null;
        }

        // Java's String.trim(): characters up to U+0020.
        var start = 0;
        var end = s.Length;
        while (start < end && s[start] <= ' ')
        {
            start++;
        }

        while (end > start && s[end - 1] <= ' ')
        {
            end--;
        }

        return s[start..end];
    }
}

[SqlFunction("LEN", Category = "STRING", Description = "Returns the length of the input string or byte array.")]
internal static class LenFunction
{
    [SqlOverload]
    public static int? Len(string? s) => s?.Length;

    [SqlOverload]
    public static int? Len(byte[]? b) => b?.Length;
}

[SqlFunction("LPAD", Category = "STRING", Description = "Pads the input string or bytes, starting from the beginning, with the specified padding until the target length is reached (longer inputs are truncated).")]
internal static class LPadFunction
{
    [SqlOverload]
    public static string? LPad(string? input, int? length, string? padding) => Pad.Strings(input, length, padding, left: true);

    [SqlOverload]
    public static byte[]? LPad(byte[]? input, int? length, byte[]? padding) => Pad.Bytes(input, length, padding, left: true);
}

[SqlFunction("RPAD", Category = "STRING", Description = "Pads the input string or bytes, starting from the end, with the specified padding until the target length is reached (longer inputs are truncated).")]
internal static class RPadFunction
{
    [SqlOverload]
    public static string? RPad(string? input, int? length, string? padding) => Pad.Strings(input, length, padding, left: false);

    [SqlOverload]
    public static byte[]? RPad(byte[]? input, int? length, byte[]? padding) => Pad.Bytes(input, length, padding, left: false);
}

internal static class Pad
{
    public static string? Strings(string? input, int? length, string? padding, bool left)
    {
        if (input is null || length is null || padding is null || padding.Length == 0 || length < 0)
        {
            return null;
        }

        var target = length.Value;
        if (input.Length >= target)
        {
            return input[..target];
        }

        var sb = new StringBuilder(target);
        var padLength = target - input.Length;
        if (!left)
        {
            sb.Append(input);
        }

        for (var i = 0; i < padLength; i++)
        {
            sb.Append(padding[i % padding.Length]);
        }

        if (left)
        {
            sb.Append(input);
        }

        return sb.ToString();
    }

    public static byte[]? Bytes(byte[]? input, int? length, byte[]? padding, bool left)
    {
        if (input is null || length is null || padding is null || padding.Length == 0 || length < 0)
        {
            return null;
        }

        var target = length.Value;
        if (input.Length >= target)
        {
            return input[..target];
        }

        var result = new byte[target];
        var padLength = target - input.Length;
        var inputStart = left ? padLength : 0;
        var padStart = left ? 0 : input.Length;
        input.CopyTo(result, inputStart);
        for (var i = 0; i < padLength; i++)
        {
            result[padStart + i] = padding[i % padding.Length];
        }

        return result;
    }
}

internal static class Masker
{
    public static string? Mask(string? input, int from, int to, string? upper, string? lower, string? digit, string? other)
    {
        if (input is null)
        {
            return null;
        }

        var sb = new StringBuilder(input);
        var u = First(upper);
        var l = First(lower);
        var d = First(digit);
        var o = First(other);
        for (var i = Math.Max(0, from); i < Math.Min(to, input.Length); i++)
        {
            var c = input[i];
            var replacement = char.IsUpper(c) ? u : char.IsLower(c) ? l : char.IsDigit(c) ? d : o;
            if (replacement is not null)
            {
                sb[i] = replacement.Value;
            }
        }

        return sb.ToString();

        static char? First(string? s) => string.IsNullOrEmpty(s) ? null : s[0];
    }
}

[SqlFunction("MASK", Category = "STRING", Description = "Returns a version of the input string with every character replaced by a mask (default: X for upper-case, x for lower-case, n for digits, - for others; NULL keeps that kind).")]
internal static class MaskFunction
{
    [SqlOverload]
    public static string? Mask(string? input) => Masker.Mask(input, 0, int.MaxValue, "X", "x", "n", "-");

    [SqlOverload]
    public static string? Mask(string? input, string? upper, string? lower, string? digit, string? other) =>
        Masker.Mask(input, 0, int.MaxValue, upper, lower, digit, other);
}

[SqlFunction("MASK_KEEP_LEFT", Category = "STRING", Description = "Returns a version of the input string with all but the specified number of left-most characters masked out.")]
internal static class MaskKeepLeftFunction
{
    [SqlOverload]
    public static string? MaskKeepLeft(string? input, int? numChars) => MaskKeepLeft(input, numChars, "X", "x", "n", "-");

    [SqlOverload]
    public static string? MaskKeepLeft(string? input, int? numChars, string? upper, string? lower, string? digit, string? other) =>
        numChars is null or < 0 ? null : Masker.Mask(input, numChars.Value, int.MaxValue, upper, lower, digit, other);
}

[SqlFunction("MASK_KEEP_RIGHT", Category = "STRING", Description = "Returns a version of the input string with all but the specified number of right-most characters masked out.")]
internal static class MaskKeepRightFunction
{
    [SqlOverload]
    public static string? MaskKeepRight(string? input, int? numChars) => MaskKeepRight(input, numChars, "X", "x", "n", "-");

    [SqlOverload]
    public static string? MaskKeepRight(string? input, int? numChars, string? upper, string? lower, string? digit, string? other) =>
        input is null || numChars is null or < 0 ? null : Masker.Mask(input, 0, input.Length - numChars.Value, upper, lower, digit, other);
}

[SqlFunction("MASK_LEFT", Category = "STRING", Description = "Returns a version of the input string with the specified number of characters, starting from the beginning of the string, masked out.")]
internal static class MaskLeftFunction
{
    [SqlOverload]
    public static string? MaskLeft(string? input, int? numChars) => MaskLeft(input, numChars, "X", "x", "n", "-");

    [SqlOverload]
    public static string? MaskLeft(string? input, int? numChars, string? upper, string? lower, string? digit, string? other) =>
        numChars is null or < 0 ? null : Masker.Mask(input, 0, numChars.Value, upper, lower, digit, other);
}

[SqlFunction("MASK_RIGHT", Category = "STRING", Description = "Returns a version of the input string with the specified number of characters, counting back from the end of the string, masked out.")]
internal static class MaskRightFunction
{
    [SqlOverload]
    public static string? MaskRight(string? input, int? numChars) => MaskRight(input, numChars, "X", "x", "n", "-");

    [SqlOverload]
    public static string? MaskRight(string? input, int? numChars, string? upper, string? lower, string? digit, string? other) =>
        input is null || numChars is null or < 0 ? null : Masker.Mask(input, input.Length - numChars.Value, int.MaxValue, upper, lower, digit, other);
}

[SqlFunction("MD5", Category = "STRING", Description = "Computes the hex-encoded md5 hash of the given string.")]
internal static class Md5Function
{
    [SqlOverload]
    public static string? Md5(string? s) => s is null ? null : Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(s))).ToLowerInvariant();
}

[SqlFunction("REPLACE", Category = "STRING", Description = "Replaces all occurrences of a substring in a string with a new substring.")]
internal static class ReplaceFunction
{
    [SqlOverload]
    public static string? Replace(string? str, string? substring, string? replacement) =>
        str is null || substring is null || replacement is null ? null
        : substring.Length == 0 ? InsertEverywhere(str, replacement)
        : str.Replace(substring, replacement, StringComparison.Ordinal);

    private static string InsertEverywhere(string s, string r)
    {
        // Java's "abc".replace("", "-") is "-a-b-c-".
        var sb = new StringBuilder(r);
        foreach (var c in s)
        {
            sb.Append(c).Append(r);
        }

        return sb.ToString();
    }
}

[SqlFunction("SPLIT", Category = "STRING", Description = "Splits a string or bytes into an array of substrings or bytes based on a delimiter (an empty delimiter splits into characters).")]
internal static class SplitFunction
{
    [SqlOverload(ReturnType = "ARRAY<STRING>")]
    public static List<object?>? Split(string? str, string? delimiter)
    {
        if (str is null || delimiter is null)
        {
            return null;
        }

        if (delimiter.Length == 0)
        {
            return str.Select(c => (object?)c.ToString()).ToList();
        }

        return str.Split(delimiter).Select(s => (object?)s).ToList();
    }

    [SqlOverload(ReturnType = "ARRAY<BYTES>")]
    public static List<object?>? Split(byte[]? bytes, byte[]? delimiter)
    {
        if (bytes is null || delimiter is null)
        {
            return null;
        }

        var result = new List<object?>();
        if (delimiter.Length == 0)
        {
            foreach (var b in bytes)
            {
                result.Add(new[] { b });
            }

            return result;
        }

        var span = bytes.AsSpan();
        while (true)
        {
            var i = span.IndexOf(delimiter);
            if (i < 0)
            {
                result.Add(span.ToArray());
                return result;
            }

            result.Add(span[..i].ToArray());
            span = span[(i + delimiter.Length)..];
        }
    }
}

[SqlFunction("SPLIT_TO_MAP", Category = "STRING", Description = "Splits a string into key-value pairs and creates a map from them.")]
internal static class SplitToMapFunction
{
    [SqlOverload(ReturnType = "MAP<STRING, STRING>")]
    public static Dictionary<object, object?>? SplitToMap(string? input, string? entryDelimiter, string? kvDelimiter)
    {
        if (input is null || string.IsNullOrEmpty(entryDelimiter) || string.IsNullOrEmpty(kvDelimiter) || entryDelimiter == kvDelimiter)
        {
            return null;
        }

        var map = new Dictionary<object, object?>(Types.SqlValueComparer.Instance);
        foreach (var entry in input.Split(entryDelimiter))
        {
            if (entry.Length == 0)
            {
                continue;
            }

            var i = entry.IndexOf(kvDelimiter, StringComparison.Ordinal);
            if (i < 0)
            {
                continue;
            }

            map[entry[..i]] = entry[(i + kvDelimiter.Length)..];
        }

        return map;
    }
}

[SqlFunction("SUBSTRING", Category = "STRING", Description = "Returns the portion of the string or bytes from pos (1-based; negative counts from the end) for len characters.")]
internal static class SubstringFunction
{
    [SqlOverload]
    public static string? Substring(string? str, int? pos)
    {
        if (str is null || pos is null)
        {
            return null;
        }

        return str[Start(str.Length, pos.Value)..];
    }

    [SqlOverload]
    public static string? Substring(string? str, int? pos, int? length)
    {
        if (str is null || pos is null || length is null)
        {
            return null;
        }

        var start = Start(str.Length, pos.Value);
        var end = End(str.Length, start, length.Value);
        return str[start..end];
    }

    [SqlOverload]
    public static byte[]? Substring(byte[]? bytes, int? pos)
    {
        if (bytes is null || pos is null)
        {
            return null;
        }

        return bytes[Start(bytes.Length, pos.Value)..];
    }

    [SqlOverload]
    public static byte[]? Substring(byte[]? bytes, int? pos, int? length)
    {
        if (bytes is null || pos is null || length is null)
        {
            return null;
        }

        var start = Start(bytes.Length, pos.Value);
        return bytes[start..End(bytes.Length, start, length.Value)];
    }

    private static int Start(int valueLength, int pos) =>
        pos < 0 ? Math.Max(valueLength + pos, 0) : Math.Max(Math.Min(pos - 1, valueLength), 0);

    private static int End(int valueLength, int start, int length) =>
        (int)Math.Max(Math.Min((long)start + length, valueLength), start);
}

[SqlFunction("UUID", Category = "STRING", Description = "Create a Universally Unique Identifier (UUID) generated according to RFC 4122, or format 16 bytes as one.")]
internal static class UuidFunction
{
    [SqlOverload(Description = "A random (version 4) UUID.")]
    public static string Uuid(FunctionContext context)
    {
        Span<byte> bytes = stackalloc byte[16];
        context.Random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return Format(bytes);
    }

    [SqlOverload(Description = "The UUID whose 16 bytes are given, or NULL for other lengths.")]
    public static string? Uuid(byte[]? bytes) => bytes is null || bytes.Length != 16 ? null : Format(bytes);

    private static string Format(ReadOnlySpan<byte> b)
    {
        var hex = Convert.ToHexString(b).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}

[SqlFunction("REGEXP_EXTRACT", Category = "REGULAR_EXPRESSION", Description = "Extract the first substring matched by a regex pattern (or one of its groups).")]
internal static class RegexpExtractFunction
{
    [SqlOverload]
    public static string? RegexpExtract(string? pattern, string? input) => RegexpExtract(pattern, input, 0);

    [SqlOverload]
    public static string? RegexpExtract(string? pattern, string? input, int? group)
    {
        if (pattern is null || input is null || group is null)
        {
            return null;
        }

        var m = Text.Pattern(pattern).Match(input);
        return m.Success && group.Value < m.Groups.Count && m.Groups[group.Value].Success ? m.Groups[group.Value].Value : null;
    }
}

[SqlFunction("REGEXP_EXTRACT_ALL", Category = "REGULAR_EXPRESSION", Description = "Extracts all substrings matched by a regex pattern (or one of its groups).")]
internal static class RegexpExtractAllFunction
{
    [SqlOverload(ReturnType = "ARRAY<STRING>")]
    public static List<object?>? RegexpExtractAll(string? pattern, string? input) => RegexpExtractAll(pattern, input, 0);

    [SqlOverload(ReturnType = "ARRAY<STRING>")]
    public static List<object?>? RegexpExtractAll(string? pattern, string? input, int? group)
    {
        if (pattern is null || input is null || group is null)
        {
            return null;
        }

        var result = new List<object?>();
        foreach (Match m in Text.Pattern(pattern).Matches(input))
        {
            result.Add(group.Value < m.Groups.Count && m.Groups[group.Value].Success ? m.Groups[group.Value].Value : null);
        }

        return result;
    }
}

[SqlFunction("REGEXP_REPLACE", Category = "REGULAR_EXPRESSION", Description = "Replaces all matches of a regexp in a string with a new substring ($1 refers to a group).")]
internal static class RegexpReplaceFunction
{
    [SqlOverload]
    public static string? RegexpReplace(string? input, string? regexp, string? replacement) =>
        input is null || regexp is null || replacement is null ? null : Text.Pattern(regexp).Replace(input, replacement);
}

[SqlFunction("REGEXP_SPLIT_TO_ARRAY", Category = "REGULAR_EXPRESSION", Description = "Splits a string into an array of substrings based on a regexp.")]
internal static class RegexpSplitToArrayFunction
{
    [SqlOverload(ReturnType = "ARRAY<STRING>")]
    public static List<object?>? RegexpSplitToArray(string? input, string? regexp)
    {
        if (input is null || regexp is null)
        {
            return null;
        }

        var regex = Text.Pattern(regexp);
        var result = new List<object?>();
        var last = 0;
        foreach (Match m in regex.Matches(input))
        {
            if (m.Length == 0 && (m.Index == 0 || m.Index == input.Length))
            {
                continue;
            }

            result.Add(input[last..m.Index]);
            last = m.Index + m.Length;
        }

        result.Add(input[last..]);
        return result;
    }
}
