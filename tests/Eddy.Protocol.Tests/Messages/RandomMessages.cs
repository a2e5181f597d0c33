using System.Collections;
using System.Reflection;
using Eddy.Protocol.Generator;
using Eddy.Protocol.Messages;

namespace Eddy.Protocol.Tests.Messages;

/// <summary>
/// Builds random messages that are valid at a given version: only fields the version has are set,
/// nulls only where the version allows them, unknown tagged fields only in flexible versions.
/// </summary>
internal sealed class RandomMessages(int seed)
{
    private readonly Random _random = new(seed);

    public IKafkaMessage Create(Type type, short version)
    {
        var spec = MessageModel.Spec(type.Name);
        return (IKafkaMessage)Fill(spec, type, version, depth: 0);
    }

    private object Fill(MessageSpec message, Type type, short version, int depth)
    {
        object instance = Activator.CreateInstance(type)!;
        bool flexible = message.FlexibleVersions.Contains(version);
        foreach (var field in MessageModel.FieldsOf(message, type))
        {
            if (!field.Versions.Contains(version))
            {
                continue;
            }

            var property = type.GetProperty(field.Name) ?? throw new InvalidOperationException($"{type.Name} has no property {field.Name}");
            bool nullable = field.NullableVersions.Contains(version);
            if (nullable && _random.Next(5) == 0)
            {
                property.SetValue(instance, null);
                continue;
            }

            property.SetValue(instance, Value(message, field, property.PropertyType, version, depth, compactString: flexible && (field.FlexibleVersions?.Contains(version) ?? true)));
        }

        if (flexible && _random.Next(4) == 0)
        {
            var unknown = new List<RawTaggedField>();
            int tag = 100 + _random.Next(10);
            for (int i = 0; i < _random.Next(1, 3); i++)
            {
                unknown.Add(new RawTaggedField(tag, Bytes(6)));
                tag += 1 + _random.Next(50);
            }

            ((IKafkaMessage)instance).UnknownTaggedFields = unknown;
        }

        return instance;
    }

    private object? Value(MessageSpec message, FieldSpec field, Type propertyType, short version, int depth, bool compactString)
    {
        if (field.IsArray)
        {
            var listType = Nullable.GetUnderlyingType(propertyType) ?? propertyType;
            var list = (IList)Activator.CreateInstance(listType)!;
            var elementType = listType.GetGenericArguments()[0];
            int count = depth > 3 ? 0 : _random.Next(4);
            for (int i = 0; i < count; i++)
            {
                list.Add(Scalar(message, field.ElementType, elementType, version, depth + 1, compactString));
            }

            return list;
        }

        return Scalar(message, field.Type, propertyType, version, depth, compactString);
    }

    private object? Scalar(MessageSpec message, string type, Type clrType, short version, int depth, bool compactString) => type switch
    {
        "bool" => _random.Next(2) == 1,
        "int8" => (sbyte)_random.Next(sbyte.MinValue, sbyte.MaxValue + 1),
        "int16" => (short)_random.Next(short.MinValue, short.MaxValue + 1),
        "uint16" => (ushort)_random.Next(ushort.MaxValue + 1),
        "int32" => _random.Next(4) == 0 ? -1 : _random.Next(int.MinValue, int.MaxValue),
        "uint32" => (uint)_random.NextInt64(uint.MaxValue + 1L),
        "int64" => _random.Next(4) == 0 ? -1L : _random.NextInt64(long.MinValue, long.MaxValue),
        "float64" => _random.NextDouble() * 1e6 - 5e5,
        "uuid" => new Guid(Bytes(16)),
        "string" => String(),
        "bytes" => Bytes(_random.Next(12)),
        "records" => (ReadOnlyMemory<byte>?)Bytes(_random.Next(30)),
        _ => Fill(message, Nullable.GetUnderlyingType(clrType) ?? clrType, version, depth + 1),
    };

    private string String()
    {
        int length = _random.Next(12);
        var chars = new char[length];
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._ éü中";
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[_random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>Compares two messages field by field, naming the first difference.</summary>
internal static class MessageComparer
{
    public static string? Difference(object? expected, object? actual, string path = "")
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        var type = expected.GetType();
        if (type != actual.GetType())
        {
            return $"{path}: type {type.Name} vs {actual.GetType().Name}";
        }

        switch (expected)
        {
            case byte[] a:
                return a.AsSpan().SequenceEqual((byte[])actual) ? null : $"{path}: bytes differ";
            case ReadOnlyMemory<byte> m:
                return m.Span.SequenceEqual(((ReadOnlyMemory<byte>)actual).Span) ? null : $"{path}: records differ";
            case string s:
                return string.Equals(s, (string)actual, StringComparison.Ordinal) ? null : $"{path}: \"{s}\" vs \"{actual}\"";
            case double d:
                return BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits((double)actual) ? null : $"{path}: {d} vs {actual}";
            case RawTaggedField t:
                var u = (RawTaggedField)actual;
                return t.Tag == u.Tag && t.Data.AsSpan().SequenceEqual(u.Data) ? null : $"{path}: tagged field {t.Tag} vs {u.Tag}";
            case IList list:
                var other = (IList)actual;
                if (list.Count != other.Count)
                {
                    return $"{path}: {list.Count} elements vs {other.Count}";
                }

                for (int i = 0; i < list.Count; i++)
                {
                    if (Difference(list[i], other[i], $"{path}[{i}]") is { } diff)
                    {
                        return diff;
                    }
                }

                return null;
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(Guid))
        {
            return expected.Equals(actual) ? null : $"{path}: {expected} vs {actual}";
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.Name == "ApiKey")
            {
                continue;
            }

            if (Difference(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}") is { } diff)
            {
                return diff;
            }
        }

        return null;
    }

    private static string Show(object? value) => value is null ? "null" : value.ToString() ?? "?";
}
