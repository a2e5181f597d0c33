using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Eddy.Cli.Internal;

/// <summary>
/// How a key or value is written on the command line and stored in Kafka: text as UTF-8, JSON (checked
/// on the way in), the fixed-width big-endian numbers of Kafka's Java serializers, or raw bytes as base64
/// or hex.
/// </summary>
internal enum DataFormat
{
    String,
    Json,
    Int,
    Long,
    Double,
    Base64,
    Hex,
}

internal static class DataFormats
{
    public const string Names = "string, json, int, long, double, base64, hex";

    public static DataFormat Parse(string? name, string option) => name?.ToLowerInvariant() switch
    {
        null or "string" or "str" or "kafka" => DataFormat.String,
        "json" => DataFormat.Json,
        "int" or "integer" or "int32" => DataFormat.Int,
        "long" or "bigint" or "int64" => DataFormat.Long,
        "double" or "float64" => DataFormat.Double,
        "base64" or "bytes" => DataFormat.Base64,
        "hex" => DataFormat.Hex,
        _ => throw new UsageException($"{option}: unknown format '{name}' (one of {Names})"),
    };

    /// <summary>Encodes text typed by the user; <paramref name="what"/> names the field in errors.</summary>
    public static byte[] Encode(DataFormat format, string text, string what)
    {
        switch (format)
        {
            case DataFormat.String:
                return Encoding.UTF8.GetBytes(text);
            case DataFormat.Json:
                try
                {
                    using (JsonDocument.Parse(text))
                    {
                    }
                }
                catch (JsonException e)
                {
                    throw new FormatException($"{what} is not valid JSON: {e.Message}", e);
                }
                return Encoding.UTF8.GetBytes(text);
            case DataFormat.Int:
            {
                var bytes = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(bytes, ParseNumber<int>(text, what, "int"));
                return bytes;
            }
            case DataFormat.Long:
            {
                var bytes = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(bytes, ParseNumber<long>(text, what, "long"));
                return bytes;
            }
            case DataFormat.Double:
            {
                var bytes = new byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(bytes, ParseNumber<double>(text, what, "double"));
                return bytes;
            }
            case DataFormat.Base64:
                try
                {
                    return Convert.FromBase64String(text);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{what} is not valid base64", e);
                }
            case DataFormat.Hex:
                try
                {
                    return Convert.FromHexString(text);
                }
                catch (FormatException e)
                {
                    throw new FormatException($"{what} is not valid hex", e);
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }

    /// <summary>Renders stored bytes for display; bytes that do not fit a fixed-width format are shown as hex, marked.</summary>
    public static string Decode(DataFormat format, ReadOnlySpan<byte> data) => format switch
    {
        DataFormat.String or DataFormat.Json => Encoding.UTF8.GetString(data),
        DataFormat.Int when data.Length == 4 => BinaryPrimitives.ReadInt32BigEndian(data).ToString(CultureInfo.InvariantCulture),
        DataFormat.Long when data.Length == 8 => BinaryPrimitives.ReadInt64BigEndian(data).ToString(CultureInfo.InvariantCulture),
        DataFormat.Double when data.Length == 8 => BinaryPrimitives.ReadDoubleBigEndian(data).ToString("R", CultureInfo.InvariantCulture),
        DataFormat.Base64 => Convert.ToBase64String(data),
        DataFormat.Hex => Convert.ToHexStringLower(data),
        _ => $"<{data.Length} bytes, not {format.ToString().ToLowerInvariant()}: 0x{Convert.ToHexStringLower(data)}>",
    };

    private static T ParseNumber<T>(string text, string what, string type)
        where T : INumber<T>
    {
        var style = typeof(T) == typeof(double) ? NumberStyles.Float : NumberStyles.Integer;
        return T.TryParse(text.Trim(), style, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{what} '{text}' is not a valid {type}");
    }
}
