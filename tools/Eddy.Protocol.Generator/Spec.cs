using System.Text.Json;

namespace Eddy.Protocol.Generator;

/// <summary>An inclusive version range; <see cref="None"/> is empty and "N+" is open-ended.</summary>
public readonly record struct Versions(short Min, short Max)
{
    public const short Open = short.MaxValue;

    public static readonly Versions None = new(1, 0);

    public bool IsEmpty => Min > Max;

    public bool Contains(int version) => version >= Min && version <= Max;

    public static Versions Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "none")
        {
            return None;
        }

        text = text.Trim();
        if (text.EndsWith('+'))
        {
            return new Versions(short.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture), Open);
        }

        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return new Versions(
                short.Parse(text[..dash], System.Globalization.CultureInfo.InvariantCulture),
                short.Parse(text[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        short single = short.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        return new Versions(single, single);
    }

    /// <summary>This range clipped to <paramref name="within"/>.</summary>
    public Versions Intersect(Versions within) =>
        new(Math.Max(Min, within.Min), Math.Min(Max, within.Max));

    public override string ToString() => IsEmpty ? "none" : Max == Open ? $"{Min}+" : Min == Max ? $"{Min}" : $"{Min}-{Max}";
}

/// <summary>One field of a message or struct, as in Kafka's JSON definitions.</summary>
public sealed class FieldSpec
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required Versions Versions { get; init; }

    public Versions NullableVersions { get; init; } = Versions.None;

    public Versions TaggedVersions { get; init; } = Versions.None;

    public int? Tag { get; init; }

    /// <summary>A field-level override of the message's flexible versions (RequestHeader.ClientId).</summary>
    public Versions? FlexibleVersions { get; init; }

    public string? Default { get; init; }

    public bool Ignorable { get; init; }

    public string? About { get; init; }

    /// <summary>Fields of an inline struct, if the type is a struct defined here.</summary>
    public IReadOnlyList<FieldSpec>? Fields { get; init; }

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);

    public string ElementType => IsArray ? Type[2..] : Type;

    public bool IsTaggedAnywhere => !TaggedVersions.IsEmpty;
}

/// <summary>A named struct: the message itself, an inline struct or a common struct.</summary>
public sealed class StructSpec
{
    public required string Name { get; init; }

    public required IReadOnlyList<FieldSpec> Fields { get; init; }

    public string? About { get; init; }
}

/// <summary>A whole message definition file.</summary>
public sealed class MessageSpec
{
    public required string Name { get; init; }

    /// <summary>request, response, header or data.</summary>
    public required string Kind { get; init; }

    public short? ApiKey { get; init; }

    public required Versions ValidVersions { get; init; }

    public required Versions FlexibleVersions { get; init; }

    public required IReadOnlyList<FieldSpec> Fields { get; init; }

    public IReadOnlyList<StructSpec> CommonStructs { get; init; } = [];

    public static MessageSpec Parse(string json)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        using var document = JsonDocument.Parse(json, options);
        var root = document.RootElement;
        var common = new List<StructSpec>();
        if (root.TryGetProperty("commonStructs", out var structs))
        {
            foreach (var s in structs.EnumerateArray())
            {
                common.Add(new StructSpec { Name = s.GetProperty("name").GetString()!, Fields = ParseFields(s.GetProperty("fields")) });
            }
        }

        return new MessageSpec
        {
            Name = root.GetProperty("name").GetString()!,
            Kind = root.GetProperty("type").GetString()!,
            ApiKey = root.TryGetProperty("apiKey", out var key) ? key.GetInt16() : null,
            ValidVersions = Versions.Parse(root.GetProperty("validVersions").GetString()),
            FlexibleVersions = Versions.Parse(root.TryGetProperty("flexibleVersions", out var flex) ? flex.GetString() : "none"),
            Fields = ParseFields(root.GetProperty("fields")),
            CommonStructs = common,
        };
    }

    private static List<FieldSpec> ParseFields(JsonElement array)
    {
        var fields = new List<FieldSpec>();
        foreach (var f in array.EnumerateArray())
        {
            string? Str(string name) => f.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;
            fields.Add(new FieldSpec
            {
                Name = Str("name")!,
                Type = Str("type")!.Trim(),
                Versions = Versions.Parse(Str("versions")),
                NullableVersions = Versions.Parse(Str("nullableVersions")),
                TaggedVersions = Versions.Parse(Str("taggedVersions")),
                Tag = f.TryGetProperty("tag", out var tag) ? tag.GetInt32() : null,
                FlexibleVersions = f.TryGetProperty("flexibleVersions", out var fv) ? Versions.Parse(fv.GetString()) : null,
                Default = Str("default"),
                Ignorable = f.TryGetProperty("ignorable", out var ig) && ig.GetBoolean(),
                About = Str("about"),
                Fields = f.TryGetProperty("fields", out var nested) ? ParseFields(nested) : null,
            });
        }

        return fields;
    }
}
